//! KICS conformance: every expected result line of every query's positive
//! cases has a block or attribute starting on that line of that file.

mod common;

use redress_iac::Index;

#[test]
fn every_kics_expected_line_starts_a_block_or_attribute() {
    let Some(corpora) = common::corpora() else {
        return;
    };
    let queries = corpora.join("kics/assets/queries/terraform/aws");
    let mut dirs: Vec<_> = std::fs::read_dir(&queries)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("test/positive_expected_result.json").is_file())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 40,
        "expected the 46 KICS queries, found {}",
        dirs.len()
    );

    let (mut checked, mut skipped_non_tf) = (0usize, 0usize);
    let mut misses = Vec::new();
    for dir in &dirs {
        let test_dir = dir.join("test");
        let index = Index::build(&test_dir).unwrap();
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(test_dir.join("positive_expected_result.json")).unwrap(),
        )
        .unwrap();
        for entry in expected.as_array().unwrap() {
            let file = entry
                .get("fileName")
                .or_else(|| entry.get("filename"))
                .and_then(|f| f.as_str())
                .unwrap_or("positive.tf");
            if !file.ends_with(".tf") {
                skipped_non_tf += 1;
                continue;
            }
            let line = u32::try_from(entry["line"].as_u64().unwrap()).unwrap();
            checked += 1;
            let Some(parsed) = index.file(file) else {
                misses.push(format!("{}/{file}: not indexed", dir.display()));
                continue;
            };
            assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
            if parsed.item_starting_at(line).is_none() {
                misses.push(format!(
                    "{}/{file}:{line}: nothing starts here: {:?}",
                    dir.file_name().unwrap().to_string_lossy(),
                    parsed.line_text(line)
                ));
            }
        }
    }
    println!(
        "kics conformance: {} queries, {checked} expected lines checked, {} matched, {skipped_non_tf} non-.tf entries skipped",
        dirs.len(),
        checked - misses.len()
    );
    assert!(
        misses.is_empty(),
        "{} of {checked} lines missed:\n{}",
        misses.len(),
        misses.join("\n")
    );
    assert!(checked > 250, "too few expected lines checked: {checked}");
}

#[test]
fn every_kics_expected_line_locates_by_scanner_file_and_line() {
    use redress_iac::{Confidence, FixSiteKind, LocateQuery, Locator, Modules};

    let Some(corpora) = common::corpora() else {
        return;
    };
    let queries = corpora.join("kics/assets/queries/terraform/aws");
    let mut dirs: Vec<_> = std::fs::read_dir(&queries)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("test/positive_expected_result.json").is_file())
        .collect();
    dirs.sort();
    let (mut located, mut at_line, mut failures) = (0usize, 0usize, Vec::new());
    for dir in &dirs {
        let test_dir = dir.join("test");
        let index = Index::build(&test_dir).unwrap();
        let modules = Modules::resolve(&index);
        let locator = Locator::new(&index, &modules, &[]);
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(test_dir.join("positive_expected_result.json")).unwrap(),
        )
        .unwrap();
        for entry in expected.as_array().unwrap() {
            let file = entry
                .get("fileName")
                .or_else(|| entry.get("filename"))
                .and_then(|f| f.as_str())
                .unwrap_or("positive.tf");
            if !file.ends_with(".tf") {
                continue;
            }
            let line = u32::try_from(entry["line"].as_u64().unwrap()).unwrap();
            // KICS reports paths under its scan root; give an absolute-looking one.
            let q = LocateQuery {
                file: Some(format!("/scan/root/{file}")),
                start_line: Some(line),
                ..LocateQuery::default()
            };
            match locator.locate(&q).location() {
                Some(loc)
                    if loc.confidence == Confidence::Scanner
                        && loc.file == file
                        && loc.start_line <= line
                        && line <= loc.end_line =>
                {
                    located += 1;
                    if loc.fix_site.line == line
                        || !matches!(
                            loc.fix_site.kind,
                            FixSiteKind::Attribute | FixSiteKind::Block | FixSiteKind::NestedBlock
                        )
                    {
                        at_line += 1;
                    } else if std::env::var_os("KICS_DEBUG").is_some() {
                        println!("{file}:{line} -> {:?}", loc.fix_site);
                    }
                }
                other => failures.push(format!(
                    "{}/{file}:{line}: {other:?}",
                    dir.file_name().unwrap().to_string_lossy()
                )),
            }
        }
    }
    println!(
        "kics locate: {located} located by scanner line, {at_line} with the fix site on the reported line (or traced to a variable/input)"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(located > 250);
    assert_eq!(
        at_line, located,
        "fix sites away from the reported line (run with KICS_DEBUG=1)"
    );
}
