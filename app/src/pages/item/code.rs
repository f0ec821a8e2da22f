//! The file tree and the highlighted code view with the offending lines and inline notes.
use leptos::prelude::*;

use super::item_href;
use crate::api::items::{ItemView, Offending, TreeEntry};

/// The repository's tracked files; Terraform files are emphasized, the open one marked.
#[component]
pub(super) fn FileTree(
    item_id: i64,
    tree: Vec<TreeEntry>,
    more: usize,
    open: Option<String>,
) -> impl IntoView {
    view! {
        <nav class="file-tree" aria-label="Repository files">
            <h2>"Files"</h2>
            <ul>
                {tree.into_iter().map(|entry| {
                    let current = open.as_deref() == Some(entry.path.as_str());
                    let href = item_href(item_id, &entry.path, None);
                    view! {
                        <li class:terraform=entry.terraform class:current=current>
                            <a href=href aria-current=current.then_some("page")>{breakable_path(&entry.path)}</a>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="muted">{more} " more files not listed"</p> })}
        </nav>
    }
}

/// A path that may wrap after each `/` in a narrow column (a `<wbr>` after every slash).
fn breakable_path(path: &str) -> impl IntoView + use<> {
    let parts: Vec<String> = path.split_inclusive('/').map(str::to_owned).collect();
    parts
        .into_iter()
        .map(|part| view! { {part}<wbr/> })
        .collect_view()
}

/// How one line of the open file is marked.
#[derive(Clone, Copy, Default)]
struct Marks {
    in_block: bool,
    violation: bool,
    fix_site: bool,
}

/// The open file, line-numbered and highlighted; offending blocks and the fix-site line are
/// marked and the policy's notes appear right under each violating line.
#[component]
pub(super) fn CodeView(
    data: ItemView,
    #[prop(into)] target_line: Signal<Option<u32>>,
) -> impl IntoView {
    let Some(file) = data.file.clone() else {
        return view! { <section class="code-pane"><p class="muted">"No file open."</p></section> }
            .into_any();
    };
    let item = data.item.clone();
    // A deep link (`?line=N`) scrolls its line to the middle of the code pane, also when the
    // link is followed inside the app (the browser only scrolls to `#L12` on a full load);
    // without one, the fix-site line is brought into view when this is its file.
    let fix_site_line = (item.file == file.path).then_some(item.line);
    Effect::new(move |_| match target_line.get() {
        Some(n) => scroll_to_line(n, true),
        None => {
            if let Some(n) = fix_site_line {
                scroll_to_line(n, false);
            }
        }
    });
    let here: Vec<Offending> = data
        .offending
        .iter()
        .filter(|o| o.file == file.path)
        .cloned()
        .collect();
    let marks = |n: u32| Marks {
        in_block: here.iter().any(|o| o.start_line <= n && n <= o.end_line),
        violation: here.iter().any(|o| o.line == n),
        fix_site: item.file == file.path && item.line == n,
    };
    let policy = data.policy.clone();
    // One link per other file and line (two instances failing on one line are one place).
    let mut elsewhere: Vec<(String, u32)> = data
        .offending
        .iter()
        .filter(|o| o.file != file.path)
        .map(|o| (o.file.clone(), o.line))
        .collect();
    elsewhere.sort();
    elsewhere.dedup();
    let lines = file.lines.into_iter().enumerate().map(|(i, tokens)| {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let m = marks(n);
        let notes: Vec<Offending> = here.iter().filter(|o| o.line == n).cloned().collect();
        let note = (!notes.is_empty()).then(|| {
            let policy = policy.clone();
            view! {
                <div class="inline-note" role="note">
                    {notes.into_iter().map(|o| view! {
                        <p class="violation-message"><code>{o.address}</code> ": " {o.message}</p>
                    }).collect_view()}
                    {policy.map(|p| view! {
                        <p><strong>"Why it matters: "</strong>{p.why}</p>
                        <p><strong>"When the fix can break things: "</strong>{p.breaks}</p>
                    })}
                </div>
            }
        });
        let href = format!("#L{n}");
        view! {
            <div
                class="line"
                id=format!("L{n}")
                class:offending=m.in_block
                class:violation=m.violation
                class:fix-site=m.fix_site
                class:target=move || target_line.get() == Some(n)
            >
                // Out of the Tab order: forty line links would stand between the file and
                // the actions; the pane itself is focusable and scrolls with the keys.
                <a class="ln" href=href aria-label=format!("line {n}") tabindex="-1">{n}</a>
                <code class="src">
                    {tokens.into_iter().map(|t| match t.class {
                        Some(c) => view! { <span class=format!("hl-{c}")>{t.text}</span> }.into_any(),
                        None => t.text.into_any(),
                    }).collect_view()}
                </code>
            </div>
            {note}
        }
    }).collect_view();
    view! {
        <section class="code-pane" aria-label=format!("File {}", file.path)>
            <h2 class="code-path">{file.path.clone()}</h2>
            {(!elsewhere.is_empty()).then(|| view! {
                <p class="muted">"Also failing in other files: "
                    {elsewhere.into_iter().map(|(file, line)| view! {
                        <a href=item_href(item.id, &file, Some(line))>{format!("{file}:{line}")}</a>" "
                    }).collect_view()}
                </p>
            })}
            <div class="code" role="region" aria-label="Code" tabindex="0">{lines}</div>
            {(file.more_lines > 0).then(|| view! { <p class="muted">{file.more_lines} " more lines not shown"</p> })}
        </section>
    }.into_any()
}

/// Scrolls line `n` into view inside the code pane (in the browser): to the pane's middle
/// with `center`, else only when it is outside the pane. The window scrolls only when the
/// line would still sit at its top or bottom edge, and only as far as needed.
fn scroll_to_line(n: u32, center: bool) {
    #[cfg(feature = "hydrate")]
    {
        let Some(line) = document().get_element_by_id(&format!("L{n}")) else {
            return;
        };
        if let Ok(Some(pane)) = line.closest(".code") {
            let (l, p) = (
                line.get_bounding_client_rect(),
                pane.get_bounding_client_rect(),
            );
            let offset = l.top() - p.top();
            let height = f64::from(pane.client_height());
            let outside = offset < 0.0 || offset + l.height() > height;
            if center || outside {
                let to = f64::from(pane.scroll_top()) + offset - (height - l.height()) / 2.0;
                // Whole pixels; the pane clamps the value to its scroll range.
                pane.set_scroll_top(to.max(0.0).round() as i32);
            }
        }
        // Then the window, as little as needed to keep the line a fifth of a screen away
        // from the top and bottom edges.
        let r = line.get_bounding_client_rect();
        let Some(height) = window().inner_height().ok().and_then(|h| h.as_f64()) else {
            return;
        };
        let margin = height / 5.0;
        if r.bottom() > height - margin {
            window().scroll_by_with_x_and_y(0.0, r.bottom() - (height - margin));
        } else if r.top() < margin && r.top() < 0.0 {
            window().scroll_by_with_x_and_y(0.0, r.top() - margin);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (n, center);
}
