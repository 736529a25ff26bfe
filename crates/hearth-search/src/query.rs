//! Parsing what the advisor typed into a tantivy query, and highlighting matches.

use std::collections::BTreeMap;
use std::ops::Range;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;

/// Boost of an exact match in the title over one in the body.
const TITLE_BOOST: f32 = 2.0;
/// Constant score of a prefix match (exact matches score BM25 on top of this).
const PREFIX_SCORE: f32 = 0.4;
/// Constant score of a typo-tolerant match.
const FUZZY_SCORE: f32 = 0.3;
/// Longest words considered (longer tokens are dropped by the analyzer too).
const MAX_WORDS: usize = 32;

/// One required part of the query.
#[derive(Debug, Clone, PartialEq)]
enum Clause {
    /// A single analyzed word.
    Word {
        token: String,
        distance: u8,
        prefix: bool,
    },
    /// Words that must appear next to each other, in order.
    Phrase(Vec<String>),
}

/// A parsed query.
#[derive(Debug, Clone, Default)]
pub(crate) struct Parsed {
    clauses: Vec<Clause>,
}

/// A snippet with plain text, highlight ranges and an HTML rendering.
pub(crate) struct SnippetOut {
    pub text: String,
    pub highlights: Vec<Range<usize>>,
    pub html: String,
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push((t.text.clone(), t.offset_from..t.offset_to));
    }
    out
}

fn distance_for(token: &str) -> u8 {
    match token.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Parses free text: `"..."` is a phrase, everything else is words; never fails.
pub(crate) fn parse(text: &str, analyzer: &mut TextAnalyzer) -> Parsed {
    // Split into (is_phrase, segment) pieces; an unbalanced quote runs to the end.
    let mut pieces: Vec<(bool, &str)> = Vec::new();
    for (i, part) in text.split('"').enumerate() {
        if !part.trim().is_empty() {
            pieces.push((i % 2 == 1, part));
        }
    }
    let ends_with_space = text.ends_with(char::is_whitespace);
    let mut clauses = Vec::new();
    for (is_phrase, piece) in pieces {
        if is_phrase {
            let toks: Vec<String> = tokens(analyzer, piece).into_iter().map(|t| t.0).collect();
            match toks.len() {
                0 => {}
                1 => clauses.push(Clause::Word {
                    token: toks[0].clone(),
                    distance: 0,
                    prefix: false,
                }),
                _ => clauses.push(Clause::Phrase(toks)),
            }
        } else {
            for word in piece.split_whitespace() {
                let toks: Vec<String> = tokens(analyzer, word).into_iter().map(|t| t.0).collect();
                match toks.len() {
                    0 => {}
                    1 => {
                        let token = toks[0].clone();
                        clauses.push(Clause::Word {
                            distance: distance_for(&token),
                            token,
                            prefix: false,
                        });
                    }
                    // "401(k)", "o'brien": the parts, next to each other.
                    _ => clauses.push(Clause::Phrase(toks)),
                }
            }
        }
    }
    clauses.truncate(MAX_WORDS);
    // The word being typed (last one, unless followed by a space or a quote) is also a prefix.
    if !ends_with_space
        && !text.trim_end().ends_with('"')
        && let Some(Clause::Word { token, prefix, .. }) = clauses.last_mut()
        && token.chars().count() >= 2
    {
        *prefix = true;
    }
    Parsed { clauses }
}

/// Adds score-neutral filters to a query.
pub(crate) fn with_filters(query: Box<dyn Query>, filters: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if filters.is_empty() {
        return query;
    }
    let mut clauses = vec![(Occur::Must, query)];
    for f in filters {
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(f, 0.0)) as Box<dyn Query>,
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

impl Parsed {
    /// Whether nothing searchable was typed.
    pub(crate) fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// The tantivy query: every clause is required, in the title or the body.
    pub(crate) fn to_query(&self, title: Field, body: Field) -> Box<dyn Query> {
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for clause in &self.clauses {
            let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            match clause {
                Clause::Word {
                    token,
                    distance,
                    prefix,
                } => {
                    for (field, boost) in [(title, TITLE_BOOST), (body, 1.0)] {
                        let term = Term::from_field_text(field, token);
                        should.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(
                                Box::new(TermQuery::new(
                                    term.clone(),
                                    IndexRecordOption::WithFreqs,
                                )),
                                boost,
                            )),
                        ));
                        if *distance > 0 {
                            should.push((
                                Occur::Should,
                                Box::new(ConstScoreQuery::new(
                                    Box::new(FuzzyTermQuery::new(term.clone(), *distance, true)),
                                    FUZZY_SCORE,
                                )),
                            ));
                        }
                        if *prefix {
                            should.push((
                                Occur::Should,
                                Box::new(ConstScoreQuery::new(
                                    Box::new(FuzzyTermQuery::new_prefix(term, 0, false)),
                                    PREFIX_SCORE,
                                )),
                            ));
                        }
                    }
                }
                Clause::Phrase(words) => {
                    for (field, boost) in [(title, TITLE_BOOST), (body, 1.0)] {
                        let terms = words
                            .iter()
                            .map(|w| Term::from_field_text(field, w))
                            .collect();
                        should.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(Box::new(PhraseQuery::new(terms)), boost)),
                        ));
                    }
                }
            }
            must.push((Occur::Must, Box::new(BooleanQuery::new(should))));
        }
        Box::new(BooleanQuery::new(must))
    }

    /// How well an analyzed document token matches the query (0 = not at all).
    fn token_weight(&self, token: &str) -> f32 {
        let mut best: f32 = 0.0;
        for clause in &self.clauses {
            let w = match clause {
                Clause::Word {
                    token: q,
                    distance,
                    prefix,
                } => {
                    if token == q {
                        1.0
                    } else if *prefix && token.starts_with(q.as_str()) {
                        0.7
                    } else if *distance > 0 && within_distance(token, q, *distance as usize) {
                        0.5
                    } else {
                        0.0
                    }
                }
                Clause::Phrase(words) => {
                    if words.iter().any(|w| w == token) {
                        0.8
                    } else {
                        0.0
                    }
                }
            };
            best = best.max(w);
        }
        best
    }

    /// Byte ranges of `text` whose tokens match the query.
    pub(crate) fn highlight_ranges(
        &self,
        analyzer: &mut TextAnalyzer,
        text: &str,
    ) -> Vec<Range<usize>> {
        tokens(analyzer, text)
            .into_iter()
            .filter(|(t, _)| self.token_weight(t) > 0.0)
            .map(|(_, r)| r)
            .collect()
    }

    /// The best fragment of `text` with matches highlighted, via tantivy's snippet generator.
    /// Typo and prefix matches are highlighted too: the generator is given the document's own
    /// tokens that matched.
    pub(crate) fn snippet(
        &self,
        analyzer: &mut TextAnalyzer,
        field: Field,
        text: &str,
        max_chars: usize,
    ) -> SnippetOut {
        let mut terms: BTreeMap<String, f32> = BTreeMap::new();
        for (token, _) in tokens(analyzer, text) {
            if terms.contains_key(&token) {
                continue;
            }
            let w = self.token_weight(&token);
            if w > 0.0 {
                terms.insert(token, w);
            }
        }
        let generator = SnippetGenerator::new(terms, analyzer.clone(), field, max_chars);
        let snippet = generator.snippet(text);
        if snippet.is_empty() {
            // No match in the body (e.g. only in the title): show its beginning.
            let end = text
                .char_indices()
                .nth(max_chars)
                .map_or(text.len(), |(i, _)| i);
            let head = text[..end].to_string();
            let html = escape_html(&head);
            return SnippetOut {
                text: head,
                highlights: Vec::new(),
                html,
            };
        }
        SnippetOut {
            text: snippet.fragment().to_string(),
            highlights: snippet.highlighted().to_vec(),
            html: snippet.to_html(),
        }
    }
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Optimal-string-alignment distance (transpositions cost 1) is at most `max`.
fn within_distance(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let (n, m) = (a.len(), b.len());
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m] <= max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert!(within_distance("jonson", "johnson", 1));
        assert!(within_distance("johsnon", "johnson", 1));
        assert!(!within_distance("jones", "johnson", 2));
    }

    #[test]
    fn parse_never_fails() {
        let mut a = crate::text_analyzer();
        for text in [
            "",
            "\"",
            "\"\"",
            "a\"b",
            "(((",
            "AND OR NOT",
            "\"unbalanced phrase",
            "-x +y ~2 *",
            "401(k) rollover",
            "x\u{0}y",
            "日本語 テスト",
        ] {
            let p = parse(text, &mut a);
            let _ = p.to_query(Field::from_field_id(3), Field::from_field_id(4));
        }
        let p = parse("\"required minimum distribution\" joh", &mut a);
        assert_eq!(p.clauses.len(), 2);
        assert!(matches!(&p.clauses[1], Clause::Word { prefix: true, .. }));
    }
}
