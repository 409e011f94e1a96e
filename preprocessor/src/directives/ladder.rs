//! `ladder`: one interview question answered at L3, L4, L5 and L6, each with what that answer missed.

use super::{eyebrow, heading, open_root};
use crate::fields::{FieldSpec, Fields};
use crate::kind::Kind;
use crate::render::{escape, Html};

pub(crate) const FIELDS: &[FieldSpec] = &[
    ("id", r#"id = "order-two-writes""#),
    (
        "question",
        r#"question = "How would you order two writes made on different machines?""#,
    ),
    (
        "answer",
        r#"[[answer]] (four of them, then level = "L3", answer = "..." and missed = "..." on the lines below)"#,
    ),
];

pub(crate) const TIER: &[FieldSpec] = &[
    ("level", r#"level = "L3""#),
    (
        "answer",
        r#"answer = "I'd compare their timestamps and keep the later one.""#,
    ),
    (
        "missed",
        r#"missed = "Clocks on two machines disagree, so *later* is not well defined.""#,
    ),
];

const LEVELS: [&str; 4] = ["L3", "L4", "L5", "L6"];

pub(crate) fn render(fields: &Fields<'_, '_>) -> String {
    let id = fields.id();
    let mut html = Html::new();
    open_root(&mut html, "section", Kind::Ladder, &id);
    eyebrow(&mut html, "Level ladder");
    heading(
        &mut html,
        "h3",
        "dsip-ladder-question",
        &fields.inline_markdown("question"),
        &format!("ladder-{id}"),
    );
    let tiers = fields.tables("answer", TIER);
    let levels: Vec<String> = tiers.iter().map(|tier| tier.string("level")).collect();
    check_levels(fields, &tiers, &levels);
    html.open("ol", &[("class", "dsip-ladder-tiers")]);
    for (tier, level) in tiers.iter().zip(&levels) {
        html.open(
            "li",
            &[(
                "class",
                &format!("dsip-tier dsip-tier-{}", level.to_lowercase()),
            )],
        );
        html.element(
            "p",
            &[("class", "dsip-tier-level")],
            &format!("<span class=\"dsip-badge\">{}</span>", escape(level)),
        );
        html.open("div", &[("class", "dsip-tier-answer")])
            .raw(&tier.markdown("answer"))
            .close();
        let missed = format!(
            "<strong>What it missed:</strong> {}",
            tier.inline_markdown("missed")
        );
        html.element("p", &[("class", "dsip-tier-missed")], &missed);
        html.close();
    }
    html.close().close();
    html.finish()
}

/// The tiers must be exactly L3, L4, L5, L6 in that order: readers compare them left to right.
fn check_levels(fields: &Fields<'_, '_>, tiers: &[Fields<'_, '_>], levels: &[String]) {
    let mut known = true;
    for (tier, level) in tiers.iter().zip(levels) {
        if !level.is_empty() && !LEVELS.contains(&level.as_str()) {
            known = false;
            tier.invalid(
                "level",
                format!("`{level}` is not a level"),
                "write one of `level = \"L3\"`, \"L4\", \"L5\", \"L6\" instead",
            );
        }
    }
    if !known || tiers.is_empty() || levels.iter().any(String::is_empty) {
        return;
    }
    let fix = "give four [[answer]] tables with level L3, L4, L5, L6 in that order";
    let mut duplicated = false;
    for (index, level) in levels.iter().enumerate() {
        if levels[..index].contains(level) {
            duplicated = true;
            tiers[index].invalid("level", format!("`{level}` appears twice"), fix);
        }
    }
    let missing: Vec<&str> = LEVELS
        .iter()
        .copied()
        .filter(|level| !levels.iter().any(|given| given == level))
        .collect();
    if !missing.is_empty() {
        fields.invalid("answer", format!("{} missing", quoted_list(&missing)), fix);
    }
    if duplicated || !missing.is_empty() {
        return;
    }
    if let Some(index) = (0..LEVELS.len()).find(|&index| levels[index] != LEVELS[index]) {
        let problem = format!(
            "`{}` is out of order: answer {} should be `{}`",
            levels[index],
            index + 1,
            LEVELS[index]
        );
        tiers[index].invalid("level", problem, fix);
    }
}

fn quoted_list(levels: &[&str]) -> String {
    let quoted: Vec<String> = levels.iter().map(|level| format!("`{level}`")).collect();
    let verb = if levels.len() == 1 { "is" } else { "are" };
    format!("{} {verb}", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use crate::directives::tests::render_one;

    #[test]
    fn four_tiers_in_order_with_their_missed_line() {
        let mut body = String::from("id = \"l\"\nquestion = \"Q?\"\n");
        for level in ["L3", "L4", "L5", "L6"] {
            body.push_str(&format!(
                "[[answer]]\nlevel = \"{level}\"\nanswer = \"A {level}\"\nmissed = \"M {level}\"\n"
            ));
        }
        let html = render_one("ladder", &body).unwrap();
        let positions: Vec<usize> = [
            "dsip-tier-l3",
            "dsip-tier-l4",
            "dsip-tier-l5",
            "dsip-tier-l6",
        ]
        .iter()
        .map(|class| html.find(class).unwrap())
        .collect();
        assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "{html}");
        assert!(
            html.contains("<strong>What it missed:</strong> M L6</p>"),
            "{html}"
        );
    }
}
