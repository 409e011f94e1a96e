//! Line numbers and line endings.
//!
//! CommonMark ends a line at `\n`, `\r\n` or a lone `\r`, and a chapter from a Windows checkout ends
//! every line with `\r\n`. Everything that reports a line or splices HTML back goes through here, so
//! all three count the same, and the line starts are computed once: looking a line up is a binary
//! search, not a count from the start of the chapter (which made big chapters quadratic).

/// The byte offset where each line of a text starts.
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    /// Indexes `text`'s line starts in one pass.
    pub(crate) fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut index = 0;
        while index < bytes.len() {
            match bytes[index] {
                b'\n' => starts.push(index + 1),
                b'\r' if bytes.get(index + 1) == Some(&b'\n') => {
                    index += 1;
                    starts.push(index + 1);
                }
                b'\r' => starts.push(index + 1),
                _ => {}
            }
            index += 1;
        }
        Lines { starts }
    }

    /// 1-based line of byte `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }

    /// Byte offset where the line holding `offset` starts.
    pub(crate) fn start_of_line_at(&self, offset: usize) -> usize {
        self.starts[self.line_of(offset) - 1]
    }
}

/// The line ending `text` starts with, if any: `"\r\n"`, `"\n"` or `"\r"`.
pub(crate) fn leading_line_ending(text: &str) -> Option<&'static str> {
    if text.starts_with("\r\n") {
        Some("\r\n")
    } else if text.starts_with('\n') {
        Some("\n")
    } else if text.starts_with('\r') {
        Some("\r")
    } else {
        None
    }
}

/// The line ending `text` ends with, if any.
pub(crate) fn trailing_line_ending(text: &str) -> Option<&'static str> {
    if text.ends_with("\r\n") {
        Some("\r\n")
    } else if text.ends_with('\n') {
        Some("\n")
    } else if text.ends_with('\r') {
        Some("\r")
    } else {
        None
    }
}

/// The first line of `text`, without its ending.
pub(crate) fn first_line(text: &str) -> &str {
    text.split(['\n', '\r']).next().unwrap_or("")
}

/// The ending of the first line of `text` (`"\n"` when it has none, the CommonMark default).
pub(crate) fn first_line_ending(text: &str) -> &'static str {
    let line = first_line(text);
    leading_line_ending(&text[line.len()..]).unwrap_or("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_three_line_endings_end_a_line() {
        let text = "a\nb\r\nc\rd";
        let lines = Lines::new(text);
        let line = |needle: char| lines.line_of(text.find(needle).unwrap());
        assert_eq!([line('a'), line('b'), line('c'), line('d')], [1, 2, 3, 4]);
        assert_eq!(lines.line_of(text.find("\r\n").unwrap() + 1), 2);
    }

    #[test]
    fn endings_are_recognised() {
        assert_eq!(first_line_ending("```x\r\nbody"), "\r\n");
        assert_eq!(first_line_ending("```x\rbody"), "\r");
        assert_eq!(first_line_ending("```x"), "\n");
        assert_eq!(leading_line_ending("\r\nx"), Some("\r\n"));
        assert_eq!(trailing_line_ending("x\r"), Some("\r"));
    }
}
