//! Turns a product's `Body (HTML)` into clean text and selling points.
//!
//! Shopify descriptions are small, loose HTML fragments. We need the words a host can say, not
//! a DOM: tags are dropped, block tags become line breaks, list items become points, and
//! entities are decoded. Script and style content is discarded.

/// Plain text and bullet points taken from a description.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Description {
    /// Paragraphs joined by blank lines, whitespace collapsed.
    pub text: String,
    /// `<li>` items in order, or, when there are none, the description's sentences.
    pub points: Vec<String>,
}

pub fn describe(html: &str) -> Description {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut items: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_item: Option<String> = None;
    let mut skip_until: Option<&'static str> = None;
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(tag_start) = rest.find('<') {
            let text = &rest[..tag_start];
            if skip_until.is_none() {
                let t = decode_entities(text);
                match &mut in_item {
                    Some(item) => item.push_str(&t),
                    None => current.push_str(&t),
                }
            }
            let after = &rest[tag_start..];
            let Some(tag_end) = after.find('>') else {
                // A lone `<` is text ("size < 10cm").
                if skip_until.is_none() {
                    current.push_str(&decode_entities(after));
                }
                break;
            };
            let tag = &after[1..tag_end];
            rest = &after[tag_end + 1..];
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if let Some(end) = skip_until {
                if closing && name == end {
                    skip_until = None;
                }
                continue;
            }
            match name.as_str() {
                "script" | "style" if !closing => skip_until = Some(if name == "script" { "script" } else { "style" }),
                "li" => {
                    if let Some(item) = in_item.take() {
                        push_clean(&mut items, &item);
                    }
                    if !closing {
                        in_item = Some(String::new());
                    }
                }
                "ul" | "ol" => {
                    if let Some(item) = in_item.take() {
                        push_clean(&mut items, &item);
                    }
                    push_clean(&mut paragraphs, &current);
                    current.clear();
                }
                "p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table" | "tr" | "section" => {
                    push_clean(&mut paragraphs, &current);
                    current.clear();
                }
                "br" => match &mut in_item {
                    Some(item) => item.push(' '),
                    None => {
                        push_clean(&mut paragraphs, &current);
                        current.clear();
                    }
                },
                "td" | "th" => current.push(' '),
                _ => {}
            }
        } else {
            if skip_until.is_none() {
                let t = decode_entities(rest);
                match &mut in_item {
                    Some(item) => item.push_str(&t),
                    None => current.push_str(&t),
                }
            }
            break;
        }
    }
    if let Some(item) = in_item.take() {
        push_clean(&mut items, &item);
    }
    push_clean(&mut paragraphs, &current);

    let points = if items.is_empty() {
        paragraphs.iter().flat_map(|p| sentences(p)).collect()
    } else {
        items.clone()
    };
    let mut text = paragraphs.join("\n\n");
    if !items.is_empty() {
        let list = items.iter().map(|i| format!("• {i}")).collect::<Vec<_>>().join("\n");
        if text.is_empty() {
            text = list;
        } else {
            text = format!("{text}\n\n{list}");
        }
    }
    Description { text, points }
}

fn push_clean(out: &mut Vec<String>, s: &str) {
    let clean = collapse_ws(s);
    if !clean.is_empty() {
        out.push(clean);
    }
}

/// Collapses runs of whitespace (including non-breaking spaces) to single spaces.
pub fn collapse_ws(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{a0}').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Splits a paragraph into sentences at `.`, `!` or `?` followed by a space and a capital or
/// digit, so "9.5 cm" and "e.g. this" stay whole.
pub fn sentences(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = p.chars().collect();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '.' | '!' | '?' | '。' | '！' | '？') {
            let next = chars.get(i + 1);
            let after = chars.get(i + 2);
            let cjk = matches!(c, '。' | '！' | '？');
            let boundary = cjk
                || next.is_none()
                || (next == Some(&' ') && after.is_some_and(|a| a.is_uppercase() || a.is_ascii_digit() || !a.is_alphabetic()));
            if boundary {
                let s: String = chars[start..=i].iter().collect();
                let s = s.trim().to_string();
                if !s.is_empty() {
                    out.push(s);
                }
                start = i + 1;
            }
        }
        i += 1;
    }
    let tail: String = chars[start..].iter().collect();
    let tail = tail.trim();
    if !tail.is_empty() {
        out.push(tail.to_string());
    }
    out
}

/// Decodes the HTML entities product descriptions use: the XML five, `&nbsp;`, typographic
/// quotes and dashes, common accented letters, and numeric references.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let end = after[1..].find(|c: char| c == ';' || c == '&' || c.is_whitespace()).map(|i| i + 1);
        match end {
            Some(e) if after.as_bytes().get(e) == Some(&b';') => {
                let name = &after[1..e];
                if let Some(ch) = entity(name) {
                    out.push_str(&ch);
                    rest = &after[e + 1..];
                    continue;
                }
                out.push('&');
                rest = &after[1..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).map(String::from);
    }
    let s = match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => " ",
        "rsquo" | "lsquo" => "'",
        "rdquo" | "ldquo" => "\"",
        "ndash" => "–",
        "mdash" => "—",
        "hellip" => "…",
        "trade" => "™",
        "reg" => "®",
        "copy" => "©",
        "deg" => "°",
        "times" => "×",
        "frac12" => "½",
        "eacute" => "é",
        "egrave" => "è",
        "aacute" => "á",
        "iacute" => "í",
        "oacute" => "ó",
        "uacute" => "ú",
        "ntilde" => "ñ",
        "uuml" => "ü",
        "ouml" => "ö",
        "auml" => "ä",
        "ccedil" => "ç",
        "euro" => "€",
        "pound" => "£",
        "yen" => "¥",
        "bull" => "•",
        "middot" => "·",
        _ => return None,
    };
    Some(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_items_become_points() {
        let d = describe("<p>Soft &amp; warm throw.</p><ul><li>100% cotton</li><li>Machine <b>washable</b></li></ul>");
        assert_eq!(d.points, ["100% cotton", "Machine washable"]);
        assert_eq!(d.text, "Soft & warm throw.\n\n• 100% cotton\n• Machine washable");
    }

    #[test]
    fn sentences_when_no_list() {
        let d = describe("<p>Holds 9.5 cm pots. Drains well!<br>Made&nbsp;of clay.</p>");
        assert_eq!(d.points, ["Holds 9.5 cm pots.", "Drains well!", "Made of clay."]);
    }

    #[test]
    fn scripts_and_stray_brackets() {
        let d = describe("<script>alert(1)</script>Fits sizes < 10 &#x2013; see chart &unknown; ok");
        assert_eq!(d.text, "Fits sizes < 10 – see chart &unknown; ok");
    }
}
