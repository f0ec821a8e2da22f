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
                            <a href=href aria-current=current.then_some("page")>{entry.path}</a>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="muted">{more} " more files not listed"</p> })}
        </nav>
    }
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
    let elsewhere: Vec<Offending> = data
        .offending
        .iter()
        .filter(|o| o.file != file.path)
        .cloned()
        .collect();
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
                <a class="ln" href=href aria-label=format!("line {n}")>{n}</a>
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
                    {elsewhere.into_iter().map(|o| view! {
                        <a href=item_href(item.id, &o.file, Some(o.line))>{format!("{}:{}", o.file, o.line)}</a>" "
                    }).collect_view()}
                </p>
            })}
            <div class="code" role="region" aria-label="Code" tabindex="0">{lines}</div>
            {(file.more_lines > 0).then(|| view! { <p class="muted">{file.more_lines} " more lines not shown"</p> })}
        </section>
    }.into_any()
}

/// Scrolls line `n` of the code pane into view (in the browser): to the middle with
/// `center`, else as little as needed.
fn scroll_to_line(n: u32, center: bool) {
    #[cfg(feature = "hydrate")]
    if let Some(line) = document().get_element_by_id(&format!("L{n}")) {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(if center {
            web_sys::ScrollLogicalPosition::Center
        } else {
            web_sys::ScrollLogicalPosition::Nearest
        });
        line.scroll_into_view_with_scroll_into_view_options(&options);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (n, center);
}
