//! Client facts: at most one per sentence, the most specific kind winning
//! (family change > goal > life event > risk tolerance > health > insurance > account >
//! amount).
//!
//! Personal kinds (family change, goal, life event, risk tolerance, health) come only from
//! what a client (or an unknown speaker) says; holdings (insurance, account, amount) also
//! from the advisor when addressed to the client ("your brokerage is now about 640,000").
//! Questions and sentences that are action items of the advisor do not yield holdings.

use std::sync::LazyLock;

use regex::Regex;

use super::{Role, Sentence, re};
use crate::model::{Fact, FactKind};

static FAMILY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:got (?:married|engaged|divorced)|getting (?:married|divorced)|(?:are|were|just) married|remarried|engaged|divorce|separated|widowed|passed away|passed\b|died|pregnant|expecting (?:a|our|twins)|had (?:a baby|twins|a son|a daughter|a grand\w+)|was born|were born|new grand\w+|adopt\w*|memory care|nursing home|assisted living|moved in with us|(?:is|are|'s|'re|i'm|am) living with (?:us|me|my \w+)|(?:is|are|'s) moving in with (?:me|us)|(?:we're|we are|she's|she is) expecting\b|custody)",
    )
});
static GOAL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:i|we)(?: really| also| still| both)?(?: want|'d like| would like| hope| are hoping|'re hoping|'m hoping| am hoping| plan|'re planning|'m planning| would love|'d love) to (?:retire|buy|pay off|travel|help|fund|save|put aside|set aside|leave|give|start|be|send|build|downsize|purchase|own|have|cover|take|move|stop working|do|go|visit|see|know|study|keep|make sure|sell|invest|live|stay|work|use|redo|remodel|renovate|hold off|claim|get rid of|step back|step away)\b|\b(?:i|we) (?:really )?want (?:\w+ ){1,2}to (?:get|have|inherit|receive)\b|\b(?:i|we) want (?:my|our) own\b|\b(?:i|we) (?:really )?want (?:it|this|that|the \w+) to go to\b|\b(?:i|we) (?:really )?(?:want|need) (?:a |an |some )?(?:\w+[- ]){0,2}(?:polic(?:y|ies)|coverage|cushion|reserve|set aside)\b|\b(?:i|we) need (?:this|the|that) money to\b|\b(?:our|my) (?:main |big |biggest |top )?(?:goal|priority|dream) is\b|\b(?:i|we) want (?:something|some|money|enough) left\b|\b(?:i|we) want (?:it|that|the \w+|him|her|[a-z]+) (?:fully )?(?:gone|paid off|sold|out|done|finished)\b|\b(?:that|this|the) money (?:has to|needs to|must) be there\b|\b(?:i|we) need (?:that|this|the) money (?:in|by|for|within)\b",
    )
});
static LIFE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:retiring|retire (?:next|this|at the end|in|on|(?:january|february|march|april|may|june|july|august|september|october|november|december)\b)|took a (?:new )?job|new job|started a (?:new )?job|got a job|laid off|lost (?:my|his|her) job|quit (?:my|his|her) job|promot\w+|going part[- ]time|part[- ]time|sold (?:the|our|my) (?:house|home|business|company)|selling (?:the|our|my) (?:house|home|business|company|shop|farm|practice|store|firm|land)|i'm the executor|(?:went|going) back to (?:full|part)[- ]time|(?:i'm starting|i start|starting) as (?:an? )?\w+|settlement came through|bought a (?:house|home|condo)|we close on|closing on (?:the|our) (?:house|home)|moving to|relocat\w+|inherit\w*|pension (?:stopped|ended|was cut)|went under|bankrupt\w*|starting (?:a|my|our) (?:own )?business|i retired|we retired|(?:i|we|he|she) left \w+(?: \w+)? (?:in|last|this)\b|started at \w+|(?:i|he|she) starts? (?:at|with) [a-z]+|got into (?:college|[a-z]+ state|the university)|(?:is|are|been) retired since|signed the (?:letter of intent|purchase agreement|contract)|visas? (?:got )?approved|got (?:the|our|my) \w+ visas?|income was down|lost (?:its|his|her|our|my) (?:biggest|main|largest) (?:contract|client|customer)|(?:i|we|he|she) moved (?:into|to|in with)|cut (?:back|down) to \w+ days)",
    )
});
static RISK_CONSERVATIVE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:conservative|don't want (?:anything|to take) (?:risky|much risk|a lot of risk|risk)|don't want to lose|can't lose (?:it|this|that|any)|terrified|can't afford to lose|cannot afford to lose|sleep at night|low risk|risk[- ]averse|cautious|rather be careful|want to be careful|can't take (?:chances|risks?|a chance)|(?:don't|do not) like (?:big |the )?(?:swings|ups and downs|volatility)|want it (?:boring|safe|steady)|(?:whole|entire) net worth (?:riding|tied up)|(?:i|we) feel sick|(?:i'm|we're|i am|we are|makes me|made me) (?:\w+ )?nervous|(?:don't|do not) care about growth|play it safe|panick\w* and sold|can't stomach|not a gambler|safety (?:blanket|net)|somewhere safe|(?:don't|do not) want to (?:start )?chas\w+|rather have less|(?:need|want) to be able to get (?:at|to) it|(?:don't|can't) sleep (?:well )?when|(?:don't|do not) want (?:\w+ ){0,3}riding on|(?:don't|do not) want to gamble|a check (?:i|we) can count on|(?:don't|doesn't|do not|does not) want more than \w+ percent in stocks|(?:don't|never) borrow against)",
    )
});
static RISK_MODERATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:moderate|middle of the road|somewhere in the middle|some ups and downs|balanced|a little more willing|(?:i'm|we're|i'd be|we'd be) (?:fine|okay|ok|comfortable) with (?:where we are|sixty|fifty|seventy|\d{2})|don't lose sleep)\b",
    )
});
static RISK_AGGRESSIVE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:aggressive|ride it out|comfortable with (?:more |a lot of )?risk|high risk tolerance|risk taker|can handle (?:more|a lot more) (?:stock|risk|volatility)|(?:a )?(?:hundred|100) percent (?:in )?stocks|all stocks|fine watching it drop|likes? to gamble|(?:fine|okay|ok|comfortable) with (?:it )?swinging|(?:i'm|we're) (?:fine|okay|ok|comfortable) with stocks)",
    )
});
static HEALTH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:cancer|diagnos\w+|remission|surgery|heart attack|stroke|parkinson\w*|alzheimer\w*|dementia|chemo\w*|diabet\w+|hospitali\w+|health scare|ms diagnosis|cardiolog\w+|stent|memory (?:isn't|is not|is going|is slipping)|eyes? (?:are|is) not|hip (?:fracture|replacement)|broke (?:her|his|my) hip|knee replacement|fractur\w+|(?:had|took) a (?:bad )?fall|physical therapy|neurologist|checkup|check-up|my knee|my hip|the therapy|my doctor wants|blood (?:pressure|sugar)|\bfusion\b|bypass|since the accident|pre-?diabet\w*|can't stand for)",
    )
});
static INSURANCE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:life insurance|term (?:life )?policy|whole life|universal life|disability (?:insurance|policy|coverage)|long[- ]term care (?:insurance|policy)|ltc policy|umbrella policy|group policy|insurance policy|on medicare|medigap|medicare supplement|\d[\d,]* (?:dollar )?policy|million(?: dollar)? policy|polic(?:y|ies) through (?:work|the hospital|my employer|her employer|his employer)|group disability|\bsgli\b|\bcobra\b|keeping part b|(?:her|his|my|our) plan through (?:the|my|her|his|work))",
    )
});
static INSURANCE_STATE: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:is|are|ends|expires|lapses|covers|pays|through|runs out)\b"));
static ACCOUNT_TERM: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:\b401\(?k\)?|\b403\(?b\)?|\b457\b|\biras?\b|\broth\b|\bsep\b|\b529\b|\bhsa\b|\bbrokerage\b|\bsavings account\b|\bhigh-yield savings\b|\bchecking\b|\bcds?\b|\bpension\b|\bisos\b|\brsus\b|\bstock options\b|\bannuit\w+|\bmoney market\b|\btrust account\b)",
    )
});
static CLIENT_POSSESSION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:my|our|i have|we have|i've got|we've got|i also have|we also have|i still have|we still have|i hold|we hold|i own|we own|(?:he|she|they) (?:has|have)|i'm already|i'm on|we're on)\b",
    )
});
static CLIENT_HOLDS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:my|our|i have|we have|i've got|we've got|i also have|we also have|i still have|we still have|i hold|we hold|i own|we own)\s+(?:[\w,.$()-]+\s+){0,4}?(?:401|403|457|iras?\b|roth|sep\b|529|hsa|brokerage|savings|high-yield|checking|cds?\b|pension|isos|rsus|stock options|annuit|money market|trust account)",
    )
});
static IMAGINED: LazyLock<Regex> =
    LazyLock::new(|| re(r"\bif (?:one of us|either of us|we|i|something|anything)\b"));
static POINTS_BACK: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:it's|it is|that's|that is|the big one|which is)\b"));
static ACCOUNT_WORD: LazyLock<Regex> = LazyLock::new(|| re(r"\baccounts?\b"));
static YOU_HAVE: LazyLock<Regex> = LazyLock::new(|| re(r"\byou(?:'ve got| have| got)\b"));
static MODAL: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:can|could|would|should|might)\b|'d\b"));
static ADVISOR_POSSESSION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:your|the old)\s+(?:\w+\s+){0,2}?(?:401|403|ira|roth|brokerage|savings|checking|cd|pension|annuit|isos|rsus|hsa|529)",
    )
});
static ACCOUNT_DETAIL: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:old|from|at|with|through)\b"));
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:\$\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|thousand|million|grand))?|\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|\b\d+(?:\.\d+)?\s?(?:k|thousand|million|mil|grand)\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?(?: hundred)? (?:thousand|million|grand)\b|\b(?:about|around|roughly|approximately|maybe|almost|nearly) \d{3}\b)",
    )
});
static ADDRESSED: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:you|your|you've|you're)\b"));
static ADVISOR_COMMITMENT: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:i'll|i will|we'll|we will|let me|i'm going to)\b"));
static NEGATED_GOAL: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:don't|do not|never) want\b"));

fn personal(role: Role) -> bool {
    matches!(role, Role::Client | Role::Unknown)
}

fn risk_value(lower: &str) -> Option<&'static str> {
    let mut best: Option<(usize, &'static str)> = None;
    for (pattern, value) in [
        (&*RISK_CONSERVATIVE, "conservative"),
        (&*RISK_MODERATE, "moderate"),
        (&*RISK_AGGRESSIVE, "aggressive"),
    ] {
        if let Some(m) = pattern.find(lower)
            && best.is_none_or(|(at, _)| m.start() < at)
        {
            best = Some((m.start(), value));
        }
    }
    best.map(|(_, v)| v)
}

fn amount_key(lower: &str) -> &'static str {
    if lower.contains("a month") || lower.contains("per month") || lower.contains("monthly") {
        "monthly_amount"
    } else if lower.contains("a year") || lower.contains("per year") || lower.contains("annual") {
        "annual_amount"
    } else {
        "amount"
    }
}

fn life_key(lower: &str) -> &'static str {
    if lower.contains("retir") {
        "retirement"
    } else if lower.contains("job")
        || lower.contains("part-time")
        || lower.contains("part time")
        || lower.contains("promot")
        || lower.contains("laid off")
    {
        "employment"
    } else if lower.contains("house")
        || lower.contains("home")
        || lower.contains("close on")
        || lower.contains("condo")
    {
        "home"
    } else if lower.contains("inherit") {
        "inheritance"
    } else if lower.contains("pension") {
        "pension"
    } else {
        "life_event"
    }
}

fn classify(s: &Sentence<'_>) -> Option<(FactKind, String, String, f64)> {
    let lower = s.lower.as_str();
    let text = s.text.trim().to_string();
    let is_personal = personal(s.role);
    // "… our cushion if one of us ends up in a nursing home" imagines, it does not report.
    if is_personal && !s.is_question() && FAMILY.is_match(lower) && !IMAGINED.is_match(lower) {
        return Some((FactKind::FamilyChange, "family".into(), text, 0.75));
    }
    if is_personal && GOAL.is_match(lower) && !NEGATED_GOAL.is_match(lower) {
        return Some((FactKind::Goal, "goal".into(), text, 0.7));
    }
    if is_personal && !s.is_question() && LIFE.is_match(lower) {
        return Some((FactKind::LifeEvent, life_key(lower).into(), text, 0.7));
    }
    if is_personal
        && !s.is_question()
        && let Some(value) = risk_value(lower)
    {
        return Some((
            FactKind::RiskTolerance,
            "risk_tolerance".into(),
            value.into(),
            0.8,
        ));
    }
    if is_personal && !s.is_question() && HEALTH.is_match(lower) {
        return Some((FactKind::Health, "health".into(), text, 0.7));
    }
    if s.role == Role::Advisor && ADVISOR_COMMITMENT.is_match(lower) {
        return None;
    }
    let addressed = s.role == Role::Advisor && ADDRESSED.is_match(lower) && !MODAL.is_match(lower);
    if INSURANCE.is_match(lower) {
        let client_says = is_personal && CLIENT_POSSESSION.is_match(lower);
        let advisor_says =
            s.role == Role::Advisor && ADDRESSED.is_match(lower) && INSURANCE_STATE.is_match(lower);
        if client_says || advisor_says {
            return Some((FactKind::Insurance, "insurance".into(), text, 0.65));
        }
    }
    let has_amount = AMOUNT.is_match(lower);
    if ACCOUNT_TERM.is_match(lower) {
        let client_says = is_personal
            && !s.is_question()
            && CLIENT_HOLDS.is_match(lower)
            && (has_amount || ACCOUNT_DETAIL.is_match(lower));
        let advisor_says =
            s.role == Role::Advisor && ADVISOR_POSSESSION.is_match(lower) && has_amount;
        if client_says || advisor_says {
            return Some((FactKind::Account, "account".into(), text, 0.65));
        }
    }
    if has_amount && ((is_personal && !s.is_question()) || addressed) {
        // "About 850,000 between the two 401(k)s", "there's your mom's IRA, about 640,000":
        // an amount held in a named account is the account.
        // ("You have about 640,000 across the 401(k) and the two IRAs" is a total.)
        let total = s.role == Role::Advisor && YOU_HAVE.is_match(lower);
        if !total && (ACCOUNT_TERM.is_match(lower) || ACCOUNT_WORD.is_match(lower)) {
            return Some((FactKind::Account, "account".into(), text, 0.6));
        }
        return Some((FactKind::Amount, amount_key(lower).into(), text, 0.6));
    }
    None
}

/// Extracts facts from sentences.
/// Risk tolerance is stated once per turn: later sentences of the same segment that restate
/// it ("I'm pretty aggressive. I can ride it out.") are not separate facts.
pub(crate) fn extract(sents: &[Sentence<'_>]) -> Vec<Fact> {
    let mut out: Vec<Fact> = Vec::new();
    for (i, s) in sents.iter().enumerate() {
        let Some((mut kind, mut key, value, confidence)) = classify(s) else {
            continue;
        };
        // "The joint one is 4417-2289. That's the big one, about 730,000.": the amount of
        // the account just named.
        let after_account = i > 0 && {
            let before = &sents[i - 1].lower;
            ACCOUNT_TERM.is_match(before) || ACCOUNT_WORD.is_match(before) || before.contains("***")
        };
        if kind == FactKind::Amount && POINTS_BACK.is_match(s.lower.trim_start()) && after_account {
            kind = FactKind::Account;
            key = "account".into();
        }
        if kind == FactKind::RiskTolerance
            && out
                .iter()
                .any(|f| f.kind == kind && f.span.segment == s.segment)
        {
            continue;
        }
        out.push(Fact {
            kind,
            key,
            value,
            span: s.span(),
            confidence,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kinds of fact the rules file for one turn said by `speaker` (Dana advises
    /// Robert).
    fn kinds_of(speaker: &str, text: &str) -> Vec<FactKind> {
        let (transcript, ctx) = super::super::exchange(&[(speaker, text)]);
        let sents = super::super::sentences(&transcript, &ctx);
        extract(&sents).into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn facts_said_many_ways() {
        use FactKind::*;
        let cases = [
            // An amount in a named account is the account; a total across them is an amount.
            (
                "Robert",
                "About 850,000 between the two 401(k)s, and 120,000 in CDs.",
                Some(Account),
            ),
            (
                "Dana",
                "And there's your mom's IRA, about 640,000 as of last month.",
                Some(Account),
            ),
            (
                "Dana",
                "You have about 640,000 across the 401(k) and the two IRAs.",
                Some(Amount),
            ),
            (
                "Robert",
                "I can't stomach these swings anymore.",
                Some(RiskTolerance),
            ),
            (
                "Robert",
                "I'm not a gambler, never have been.",
                Some(RiskTolerance),
            ),
            (
                "Robert",
                "I want the 401(k)s in a hundred percent stocks.",
                Some(RiskTolerance),
            ),
            (
                "Robert",
                "I'd like to hold off claiming until seventy.",
                Some(Goal),
            ),
            (
                "Robert",
                "We owe about 280,000 on the house and I want it gone.",
                Some(Goal),
            ),
            (
                "Robert",
                "So that money has to be there in two years.",
                Some(Goal),
            ),
            (
                "Robert",
                "I want something left for Erik and Annika.",
                Some(Goal),
            ),
            (
                "Robert",
                "And I start at Providence Valley on July 13th.",
                Some(LifeEvent),
            ),
            (
                "Robert",
                "My knee's much better, the therapy finished in October.",
                Some(Health),
            ),
            (
                "Dana",
                "Through the hospital you've got life insurance at one times salary.",
                Some(Insurance),
            ),
            ("Robert", "We're selling the shop.", Some(LifeEvent)),
            ("Robert", "I want the house sold before winter.", Some(Goal)),
            (
                "Robert",
                "We've got a 250,000 policy on me from the co-op.",
                Some(Insurance),
            ),
            (
                "Robert",
                "My doctor says my blood sugar's borderline.",
                Some(Health),
            ),
            (
                "Robert",
                "I'm fine with it swinging around.",
                Some(RiskTolerance),
            ),
            (
                "Robert",
                "Luis is moving in with me in June.",
                Some(FamilyChange),
            ),
            // Imagined, not reported: the cushion is the fact.
            (
                "Robert",
                "We can't afford to lose any of that, it's our cushion if one of us ends up in a nursing home.",
                Some(RiskTolerance),
            ),
            // An advisor's opinion is not the client's goal or risk tolerance.
            ("Dana", "I'd call that allocation aggressive.", None),
        ];
        for (speaker, text, kind) in cases {
            assert_eq!(
                kinds_of(speaker, text).first().copied(),
                kind,
                "{speaker}: {text}"
            );
        }
        // An amount said of the account just named is the account.
        let kinds = kinds_of(
            "Robert",
            "The joint account is the old one. That's the big one, about 730,000.",
        );
        assert_eq!(kinds, [Account]);
    }
}
