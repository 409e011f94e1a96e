//! `postmortem`: the anchor incident as a distinct box with a timeline, the exact moment it went wrong,
//! the lesson and the primary sources.

use super::{eyebrow, fact, heading, open_root};
use crate::fields::{FieldSpec, Fields};
use crate::kind::Kind;
use crate::render::{escape, Html};

pub(crate) const FIELDS: &[FieldSpec] = &[
    ("id", r#"id = "dynamodb-2015""#),
    ("title", r#"title = "DynamoDB's metadata storm""#),
    ("date", r#"date = "2015-09-20""#),
    ("duration", r#"duration = "about 5 hours""#),
    (
        "impact",
        r#"impact = "Elevated error rates for DynamoDB in us-east-1, and for services built on it.""#,
    ),
    (
        "summary",
        r#"summary = "A brief network disruption made storage servers re-request their membership at once.""#,
    ),
    (
        "timeline",
        r#"[[timeline]] (then time = "...", event = "..." and, on one entry, critical = true)"#,
    ),
    (
        "moment",
        r#"moment = "From here retries alone kept the metadata service overloaded.""#,
    ),
    (
        "lesson",
        r#"lesson = "A recovery path that every client takes at once needs its own capacity budget.""#,
    ),
    (
        "source",
        r#"[[source]] (then title = "..." and url = "https://..." on the lines below)"#,
    ),
];

const ENTRY: &[FieldSpec] = &[
    ("time", r#"time = "02:19 PDT""#),
    (
        "event",
        r#"event = "Storage servers start timing out on membership requests.""#,
    ),
    ("critical", "critical = true"),
    (
        "moment",
        r#"moment = "From here retries alone kept the metadata service overloaded.""#,
    ),
];

const SOURCE: &[FieldSpec] = &[
    (
        "title",
        r#"title = "Summary of the Amazon DynamoDB Service Disruption""#,
    ),
    ("url", r#"url = "https://aws.amazon.com/message/5467D2/""#),
];

pub(crate) fn render(fields: &Fields<'_, '_>) -> String {
    let id = fields.id();
    let date = fields.date("date");
    let mut html = Html::new();
    open_root(&mut html, "aside", Kind::Postmortem, &id);
    html.open("header", &[("class", "dsip-card-header")]);
    eyebrow(&mut html, "Postmortem");
    heading(
        &mut html,
        "h3",
        "dsip-postmortem-title",
        &escape(&fields.string("title")),
        &format!("postmortem-{id}"),
    );
    html.open("dl", &[("class", "dsip-postmortem-facts")]);
    let time = format!(
        "<time datetime=\"{}\">{}</time>",
        escape(&date),
        escape(&readable_date(&date))
    );
    fact(&mut html, "dsip-postmortem-date", "Date", &time);
    fact(
        &mut html,
        "dsip-postmortem-duration",
        "Duration",
        &escape(&fields.string("duration")),
    );
    fact(
        &mut html,
        "dsip-postmortem-impact",
        "Impact",
        &fields.markdown("impact"),
    );
    html.close().close();
    if let Some(summary) = fields.optional_markdown("summary") {
        html.open("div", &[("class", "dsip-postmortem-summary")])
            .raw(&summary)
            .close();
    }
    timeline(&mut html, fields);
    html.open("p", &[("class", "dsip-postmortem-lesson")]);
    html.text("strong", &[("class", "dsip-label")], "The lesson");
    html.element("span", &[], &fields.inline_markdown("lesson"));
    html.close();
    sources(&mut html, fields);
    html.close();
    html.finish()
}

fn timeline(html: &mut Html, fields: &Fields<'_, '_>) {
    let entries = fields.tables("timeline", ENTRY);
    let critical: Vec<usize> = (0..entries.len())
        .filter(|&index| entries[index].boolean("critical"))
        .collect();
    let moment = moment(fields, &entries, &critical);
    html.text("p", &[("class", "dsip-label")], "Timeline");
    html.open("ol", &[("class", "dsip-timeline")]);
    for (index, entry) in entries.iter().enumerate() {
        let is_critical = critical.first() == Some(&index);
        let class = if is_critical {
            "dsip-timeline-entry dsip-critical"
        } else {
            "dsip-timeline-entry"
        };
        html.open("li", &[("class", class)]);
        html.text(
            "span",
            &[("class", "dsip-timeline-time")],
            &entry.string("time"),
        );
        html.open("div", &[("class", "dsip-timeline-event")]);
        if is_critical {
            html.element(
                "strong",
                &[("class", "dsip-critical-label")],
                "<span aria-hidden=\"true\">⚠</span> The moment it went wrong",
            );
        }
        html.raw(&entry.markdown("event"));
        html.close();
        if is_critical {
            html.open("div", &[("class", "dsip-critical-moment")]);
            html.text("p", &[("class", "dsip-label")], "Why this moment");
            html.raw(&moment);
            html.close();
        }
        html.close();
    }
    html.close();
}

/// The one critical entry, and why that moment: `moment` may sit on the critical entry or on the
/// postmortem itself (both read naturally in TOML), but must be given exactly once.
fn moment(fields: &Fields<'_, '_>, entries: &[Fields<'_, '_>], critical: &[usize]) -> String {
    match critical {
        [] if !entries.is_empty() => fields.invalid(
            "timeline",
            "no entry has `critical = true`",
            "add `critical = true` to the entry where the system crossed from degraded into failing",
        ),
        [_, extra @ ..] if !extra.is_empty() => {
            let lines: Vec<String> = critical.iter().map(|&index| entries[index].line_of("critical").to_string()).collect();
            fields.invalid(
                "timeline",
                format!("{} entries have `critical = true` (lines {})", critical.len(), lines.join(", ")),
                "keep `critical = true` on the one moment it went wrong and remove it from the others",
            );
        }
        _ => {}
    }
    for (index, entry) in entries.iter().enumerate() {
        if critical.first() != Some(&index) && entry.optional_string("moment").is_some() {
            entry.invalid(
                "moment",
                "only the critical entry explains its moment",
                "move `moment` to the entry with `critical = true`",
            );
        }
    }
    let on_entry = critical
        .first()
        .and_then(|&index| entries[index].optional_markdown("moment"));
    let on_postmortem = fields.optional_markdown("moment");
    match (on_entry, on_postmortem) {
        (Some(moment), None) | (None, Some(moment)) => moment,
        (Some(_), Some(_)) => {
            fields.invalid(
                "moment",
                "is given twice, here and on the critical entry",
                "keep one `moment`",
            );
            String::new()
        }
        (None, None) => {
            fields.missing("moment");
            String::new()
        }
    }
}

fn sources(html: &mut Html, fields: &Fields<'_, '_>) {
    html.open("div", &[("class", "dsip-sources")]);
    html.text("p", &[("class", "dsip-label")], "Sources");
    html.open("ul", &[]);
    for source in fields.tables("source", SOURCE) {
        let url = source.string("url");
        let is_web_address = url.starts_with("https://") || url.starts_with("http://");
        if !url.is_empty() && !is_web_address {
            source.invalid(
                "url",
                format!("`{url}` is not an http(s) URL"),
                format!("write `{}` instead", SOURCE[1].1),
            );
        }
        let link = format!(
            "<a href=\"{}\" rel=\"noopener\">{}</a>",
            escape(&url),
            escape(&source.string("title"))
        );
        html.element("li", &[], &link);
    }
    html.close().close();
}

/// "2015-09-20" as "20 September 2015": unambiguous to readers on either side of the Atlantic.
fn readable_date(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [year, month, day] => {
            let month = month
                .parse::<usize>()
                .ok()
                .and_then(|month| MONTHS.get(month.wrapping_sub(1)));
            let day = day.parse::<u32>().ok();
            match (month, day) {
                (Some(month), Some(day)) => format!("{day} {month} {year}"),
                _ => iso.to_string(),
            }
        }
        _ => iso.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::readable_date;
    use crate::directives::tests::render_one;

    #[test]
    fn dates_read_as_day_month_year() {
        assert_eq!(readable_date("2015-09-20"), "20 September 2015");
        assert_eq!(readable_date("2021-01-04"), "4 January 2021");
    }

    const HEAD: &str = "id = \"p\"\ntitle = \"T\"\ndate = 2015-09-20\nduration = \"D\"\nimpact = \"I\"\nlesson = \"L\"\n";
    const SOURCE: &str = "[[source]]\ntitle = \"S\"\nurl = \"https://example.org/\"";

    #[test]
    fn moment_may_sit_on_the_critical_entry_and_dates_may_be_bare() {
        let body = format!("{HEAD}[[timeline]]\ntime = \"1\"\nevent = \"E\"\ncritical = true\nmoment = \"Why\"\n{SOURCE}");
        let html = render_one("postmortem", &body).unwrap();
        assert!(
            html.contains("<time datetime=\"2015-09-20\">20 September 2015</time>"),
            "{html}"
        );
        assert!(html.contains("dsip-timeline-entry dsip-critical"), "{html}");
        assert!(html.contains("The moment it went wrong"), "{html}");
        assert!(html.contains("<p>Why</p>"), "{html}");
    }

    #[test]
    fn moment_given_twice_is_an_error() {
        let body = format!("moment = \"A\"\n{HEAD}[[timeline]]\ntime = \"1\"\nevent = \"E\"\ncritical = true\nmoment = \"B\"\n{SOURCE}");
        let errors = render_one("postmortem", &body).unwrap_err();
        assert_eq!(errors, ["index.md:2: postmortem directive: field `moment`: is given twice, here and on the critical entry; keep one `moment`"]);
    }

    #[test]
    fn only_the_critical_entry_explains_its_moment() {
        let body = format!("{HEAD}moment = \"M\"\n[[timeline]]\ntime = \"1\"\nevent = \"E\"\nmoment = \"X\"\n[[timeline]]\ntime = \"2\"\nevent = \"F\"\ncritical = true\n{SOURCE}");
        let errors = render_one("postmortem", &body).unwrap_err();
        assert_eq!(errors, ["index.md:12: postmortem directive: field `timeline[1].moment`: only the critical entry explains its moment; move `moment` to the entry with `critical = true`"]);
    }
}
