//! What kind of account the advisor's free text describes, as far as dates are concerned.

use serde::{Deserialize, Serialize};

/// The account classes the rules care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountClass {
    /// Tax-deferred retirement savings with owner RMDs: traditional, rollover, SEP and
    /// SIMPLE IRAs (IRC §408(a)(6) applies §401(a)(9) to IRAs); 401(k), 403(b) (§403(b)(10)),
    /// governmental 457(b) (§457(d)(2)), TSP, pension and profit-sharing plans (§401(a)(9)).
    RmdRetirement,
    /// Roth IRA or designated Roth account: no RMDs while the owner lives. Roth IRA:
    /// IRC §408A(c)(5). Roth 401(k)/403(b)/457(b): none from 2024 on, IRC §402A(d)(5) as
    /// added by SECURE 2.0 Act §325.
    Roth,
    /// An IRA or plan account inherited from someone who died (10-year rule).
    InheritedIra,
    /// A 529 qualified tuition program (IRC §529).
    Education529,
    /// Anything else (brokerage, bank, HSA…).
    Other,
}

/// Words that mark a tax-deferred retirement account, compared with the words of the kind
/// after parentheses are dropped ("401(k)" → "401k").
const RETIREMENT_WORDS: &[&str] = &[
    "ira",
    "iras",
    "sepira",
    "simpleira",
    "traditional",
    "rollover",
    "sep",
    "401k",
    "401a",
    "403b",
    "403b7",
    "457",
    "457b",
    "tsp",
    "pension",
    "keogh",
];

/// Adjacent word pairs that mark a retirement account ("401 k", "profit-sharing").
const RETIREMENT_PAIRS: &[&str] = &[
    "401k",
    "401a",
    "403b",
    "457b",
    "profitsharing",
    "thriftsavings",
    "definedbenefit",
    "moneypurchase",
];

/// Words that mark an inherited account (only together with a retirement or Roth word).
const INHERITED_WORDS: &[&str] = &["inherited", "inherit", "inh", "beneficiary", "bene"];

/// Classifies the account kind an advisor typed. Case-insensitive keyword matching on
/// whole words, checked in this order:
///
/// 1. "Inherited"/"Beneficiary" with a retirement or Roth word → [`AccountClass::InheritedIra`]
///    (an inherited Roth IRA follows the 10-year rule too; "Inherited brokerage" does not).
/// 2. "Roth" → [`AccountClass::Roth`].
/// 3. "529" → [`AccountClass::Education529`].
/// 4. IRA, traditional, rollover, SEP, SIMPLE IRA, 401(k), 401(a), 403(b), 457(b), TSP,
///    pension, profit sharing, Keogh → [`AccountClass::RmdRetirement`].
/// 5. Anything else → [`AccountClass::Other`].
pub fn classify_account(kind: &str) -> AccountClass {
    let lower: String = kind
        .to_lowercase()
        .chars()
        .filter(|c| *c != '(' && *c != ')')
        .collect();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    let has_any = |list: &[&str]| words.iter().any(|word| list.contains(word));
    let has_pair = |list: &[&str]| {
        words
            .windows(2)
            .any(|pair| list.contains(&format!("{}{}", pair[0], pair[1]).as_str()))
    };

    let retirement = has_any(RETIREMENT_WORDS) || has_pair(RETIREMENT_PAIRS);
    let roth = has_any(&["roth"]);
    if has_any(INHERITED_WORDS) && (retirement || roth) {
        AccountClass::InheritedIra
    } else if roth {
        AccountClass::Roth
    } else if has_any(&["529"]) {
        AccountClass::Education529
    } else if retirement {
        AccountClass::RmdRetirement
    } else {
        AccountClass::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccountClass::*;

    #[test]
    fn classifies_what_advisors_type() {
        let table: &[(&str, AccountClass)] = &[
            ("Rollover IRA", RmdRetirement),
            ("Traditional IRA", RmdRetirement),
            ("IRA", RmdRetirement),
            ("ira", RmdRetirement),
            ("SEP-IRA", RmdRetirement),
            ("SEP IRA", RmdRetirement),
            ("SIMPLE IRA", RmdRetirement),
            ("401(k)", RmdRetirement),
            ("401k", RmdRetirement),
            ("Solo 401 k", RmdRetirement),
            ("403(b)", RmdRetirement),
            ("457(b) Deferred Comp", RmdRetirement),
            ("TSP", RmdRetirement),
            ("Thrift Savings Plan", RmdRetirement),
            ("Pension", RmdRetirement),
            ("Profit-Sharing Plan", RmdRetirement),
            ("Roth IRA", Roth),
            ("ROTH 401(k)", Roth),
            ("Designated Roth 403(b)", Roth),
            ("Inherited IRA", InheritedIra),
            ("Beneficiary IRA", InheritedIra),
            ("Inherited Roth IRA", InheritedIra),
            ("IRA (Beneficiary)", InheritedIra),
            ("Inherited Brokerage", Other),
            ("529 Plan", Education529),
            ("NY 529", Education529),
            ("Joint Brokerage", Other),
            ("HSA", Other),
            ("Spiral savings", Other),
            ("", Other),
        ];
        for (kind, expected) in table {
            assert_eq!(classify_account(kind), *expected, "kind {kind:?}");
        }
    }
}
