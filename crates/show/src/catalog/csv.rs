//! An RFC 4180 reader that remembers where every field starts.
//!
//! The `csv` crate reports the line of a record but not the column of a field inside a record
//! that spans several lines (Shopify's `Body (HTML)` often does); catalog errors must name both,
//! so this small reader keeps positions.

/// One field and the place its first character stands in the file (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub text: String,
    pub line: usize,
    pub column: usize,
}

/// One record and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<Field>,
}

impl Record {
    /// True for a line with nothing but separators (Shopify exports none; editors add them).
    pub fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.text.trim().is_empty())
    }
}

/// A syntax error: place and what was expected there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Reads every record of `src`. A UTF-8 byte order mark is skipped; `\r\n` and `\n` both end
/// records; quotes double inside quoted fields; quoted fields may hold newlines.
pub fn read(src: &str) -> Result<Vec<Record>, SyntaxError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut records = Vec::new();
    let mut chars = src.chars().peekable();
    let (mut line, mut col) = (1usize, 1usize);
    let mut fields: Vec<Field> = Vec::new();
    let mut record_line = 1;
    while chars.peek().is_some() || !fields.is_empty() {
        if fields.is_empty() {
            record_line = line;
        }
        let (f_line, f_col) = (line, col);
        let mut text = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            col += 1;
            loop {
                match chars.next() {
                    None => {
                        return Err(SyntaxError {
                            line: f_line,
                            column: f_col,
                            message: "a quoted field opened here is never closed (expected a closing `\"`)".into(),
                        });
                    }
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        col += 2;
                        text.push('"');
                    }
                    Some('"') => {
                        col += 1;
                        break;
                    }
                    Some('\n') => {
                        text.push('\n');
                        line += 1;
                        col = 1;
                    }
                    Some(c) => {
                        text.push(c);
                        col += 1;
                    }
                }
            }
            if let Some(&c) = chars.peek()
                && !matches!(c, ',' | '\r' | '\n')
            {
                return Err(SyntaxError {
                    line,
                    column: col,
                    message: format!(
                        "expected `,` or the end of the line after a closing quote, found `{c}` (a quote inside a quoted field must be doubled: `\"\"`)"
                    ),
                });
            }
        } else {
            while let Some(&c) = chars.peek() {
                match c {
                    ',' | '\r' | '\n' => break,
                    '"' => {
                        return Err(SyntaxError {
                            line,
                            column: col,
                            message: "a `\"` inside an unquoted field (quote the whole field and double the quote: `\"9\"\" x 12\"\"\"`)".into(),
                        });
                    }
                    _ => {
                        chars.next();
                        col += 1;
                        text.push(c);
                    }
                }
            }
        }
        fields.push(Field { text, line: f_line, column: f_col });
        match chars.next() {
            // Another field follows, possibly an empty one at the end of the line.
            Some(',') => col += 1,
            Some('\r') => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                line += 1;
                col = 1;
                records.push(Record { line: record_line, fields: std::mem::take(&mut fields) });
            }
            Some('\n') => {
                line += 1;
                col = 1;
                records.push(Record { line: record_line, fields: std::mem::take(&mut fields) });
            }
            None => records.push(Record { line: record_line, fields: std::mem::take(&mut fields) }),
            Some(_) => unreachable!("fields end only at a separator, a line end or the end of input"),
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_quotes_newlines_and_positions() {
        let src = "Handle,Title\r\nprint,\"Framed print 9\"\" x 12\"\"\"\nmug,\"Big\nmug\"\n";
        let recs = read(src).unwrap();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[1].fields[1].text, "Framed print 9\" x 12\"");
        assert_eq!(recs[1].fields[1].line, 2);
        assert_eq!(recs[1].fields[1].column, 7);
        assert_eq!(recs[2].fields[1].text, "Big\nmug");
        assert_eq!(recs[2].line, 3);
    }

    #[test]
    fn empty_fields_and_trailing_comma() {
        let recs = read("a,,c,\n").unwrap();
        let t: Vec<_> = recs[0].fields.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(t, ["a", "", "c", ""]);
    }

    #[test]
    fn unclosed_quote_is_reported_where_it_opened() {
        let e = read("a,b\nx,\"open\n,more\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn stray_quote_is_reported() {
        let e = read("a,b\nx,9\" x 12\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 4));
    }
}
