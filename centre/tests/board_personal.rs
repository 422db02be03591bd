//! How well the board's guard for personal information does on a labelled
//! set of made-up board posts (`tests/data/board-personal.tsv`, whose header
//! says how the labels were given): a text counts as flagged when
//! [`scan`] finds anything in it. Run with `-- --nocapture` to see the
//! confusion table, the misses and the false alarms.

use std::fmt::Write as _;

use tsunagi_centre::board::personal::{PersonalKind, scan};

/// The least precision the guard must keep: of the texts it flags, the
/// share that do hold personal information.
const MIN_PRECISION: f64 = 0.9;

/// The least recall the guard must keep: of the texts that hold personal
/// information, the share it flags.
const MIN_RECALL: f64 = 0.80;

/// One labelled example: its line in the file, whether it holds personal
/// information, and its text.
struct Example {
    line: usize,
    personal: bool,
    text: String,
}

fn examples() -> Vec<Example> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/board-personal.tsv");
    let data = std::fs::read_to_string(path).expect("the labelled examples are in the repository");
    data.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|(i, line)| {
            let (label, text) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("line {} has no tab", i + 1));
            let personal = match label {
                "personal" => true,
                "clean" => false,
                other => panic!("line {} has the unknown label {other:?}", i + 1),
            };
            Example {
                line: i + 1,
                personal,
                text: text.to_owned(),
            }
        })
        .collect()
}

fn kinds(text: &str) -> String {
    let mut kinds: Vec<PersonalKind> = scan(text).iter().map(|f| f.kind).collect();
    kinds.dedup();
    kinds.iter().map(|k| k.code()).collect::<Vec<_>>().join(",")
}

#[test]
fn the_guard_flags_most_personal_posts_and_few_clean_ones() {
    let examples = examples();
    assert!(examples.len() >= 100, "only {} examples", examples.len());

    let (mut tp, mut fp, mut fn_, mut tn) = (0u32, 0u32, 0u32, 0u32);
    let mut misses = String::new();
    let mut false_alarms = String::new();
    for e in &examples {
        let flagged = !scan(&e.text).is_empty();
        match (e.personal, flagged) {
            (true, true) => tp += 1,
            (false, true) => {
                fp += 1;
                writeln!(
                    false_alarms,
                    "  line {:>3} [{}] {}",
                    e.line,
                    kinds(&e.text),
                    e.text
                )
                .expect("writing to a String cannot fail");
            }
            (true, false) => {
                fn_ += 1;
                writeln!(misses, "  line {:>3} {}", e.line, e.text)
                    .expect("writing to a String cannot fail");
            }
            (false, false) => tn += 1,
        }
    }
    let precision = f64::from(tp) / f64::from((tp + fp).max(1));
    let recall = f64::from(tp) / f64::from((tp + fn_).max(1));
    let report = format!(
        "\n                 flagged  not flagged\n\
         personal         {tp:>7}  {fn_:>11}\n\
         clean            {fp:>7}  {tn:>11}\n\
         precision {precision:.3} (at least {MIN_PRECISION}), recall {recall:.3} (at least {MIN_RECALL})\n\
         missed ({fn_}):\n{misses}\
         false alarms ({fp}):\n{false_alarms}"
    );
    println!("{report}");
    assert!(tp > 0 && tn > 0, "{report}");
    assert!(precision >= MIN_PRECISION, "precision too low:{report}");
    assert!(recall >= MIN_RECALL, "recall too low:{report}");
}

#[test]
fn every_kind_is_found_somewhere_in_the_examples() {
    let found: Vec<PersonalKind> = examples()
        .iter()
        .filter(|e| e.personal)
        .flat_map(|e| scan(&e.text))
        .map(|f| f.kind)
        .collect();
    for kind in PersonalKind::ALL {
        assert!(found.contains(&kind), "no personal example yields {kind:?}");
    }
}
