//! Money as people read it. Amounts are stored as exact decimal text ("1250000.00"); these
//! helpers only change how they are shown, never their value.

/// `1250000.00` → `1,250,000.00`: thousands separated, the stored digits kept exactly.
/// Text that is not a plain decimal is returned unchanged.
pub fn format_amount(amount: &str) -> String {
    let (sign, digits) = match amount.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", amount),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return amount.to_string();
    }
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_without_changing_digits() {
        for (given, shown) in [
            ("1250000.00", "1,250,000.00"),
            ("430512.37", "430,512.37"),
            ("999", "999"),
            ("1000", "1,000"),
            ("-1234.5", "-1,234.5"),
            ("0.0085", "0.0085"),
            ("12e3", "12e3"),
            ("", ""),
        ] {
            assert_eq!(format_amount(given), shown, "{given}");
        }
    }
}
