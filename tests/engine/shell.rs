//! The `profe-migrate …` command lines of shell text (CI scripts, the README's ```sh
//! blocks), read as a shell would split them, for the tests that check each against the
//! real command line (`examples.rs`). Enough of the shell for those texts: quotes,
//! backslashes, `$VAR` and `${VAR:-default}`, comments, `;`, `&&`, `||`, `|`, `&`, `$(…)`,
//! redirections, and lines continued with a backslash.

#[derive(Debug, PartialEq)]
enum Token {
    Word(String),
    /// Anything that ends a command: `;`, `&&`, `||`, `|`, `&`, `(`, `)`, `$(`.
    Op,
    /// `>`, `>>`, `<`, `2>`, `2>&1`…: the word after it (if any) is its target.
    Redirect {
        takes_target: bool,
    },
}

/// A variable's value when the text leaves it to the environment: what the command line
/// parser sees in its place (the variables of the examples hold URLs and paths).
const VALUE: &str = "VALUE";

/// `${NAME:-default}` → default (the text says what an unset one means); anything else
/// → [`VALUE`]. `i` is just past the `$`; returns the value and the index after it.
fn expand(chars: &[char], mut i: usize) -> (String, usize) {
    if chars.get(i) == Some(&'{') {
        let end = chars[i..]
            .iter()
            .position(|&c| c == '}')
            .map_or(chars.len(), |p| i + p);
        let inner: String = chars[i + 1..end].iter().collect();
        let value = match inner.split_once(":-") {
            Some((_, default)) => default.to_string(),
            None => VALUE.to_string(),
        };
        return (value, end + 1);
    }
    let start = i;
    while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
        i += 1;
    }
    if i == start {
        // `$?`, `$1`, `$$`: one character.
        i = (start + 1).min(chars.len());
    }
    (VALUE.to_string(), i)
}

fn tokenize(line: &str) -> Vec<Token> {
    let chars: Vec<char> = line.chars().collect();
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut i = 0;
    let flush = |word: &mut String, in_word: &mut bool, tokens: &mut Vec<Token>| {
        if *in_word {
            tokens.push(Token::Word(std::mem::take(word)));
            *in_word = false;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => {
                flush(&mut word, &mut in_word, &mut tokens);
                i += 1;
            }
            '#' if !in_word => break,
            '\'' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&c| c == '\'')
                    .map_or(chars.len(), |p| i + 1 + p);
                word.extend(&chars[i + 1..end]);
                in_word = true;
                i = end + 1;
            }
            '"' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    match chars[i] {
                        '\\' if i + 1 < chars.len() => {
                            word.push(chars[i + 1]);
                            i += 2;
                        }
                        '$' if chars.get(i + 1) != Some(&'(') => {
                            let (value, next) = expand(&chars, i + 1);
                            word.push_str(&value);
                            i = next;
                        }
                        other => {
                            word.push(other);
                            i += 1;
                        }
                    }
                }
                i += 1;
            }
            '\\' => {
                if let Some(&next) = chars.get(i + 1) {
                    word.push(next);
                    in_word = true;
                }
                i += 2;
            }
            '$' if chars.get(i + 1) == Some(&'(') => {
                flush(&mut word, &mut in_word, &mut tokens);
                tokens.push(Token::Op);
                i += 2;
            }
            '$' => {
                let (value, next) = expand(&chars, i + 1);
                word.push_str(&value);
                in_word = true;
                i = next;
            }
            ';' | '&' | '|' | '(' | ')' => {
                flush(&mut word, &mut in_word, &mut tokens);
                tokens.push(Token::Op);
                i += if matches!(chars.get(i + 1), Some(&n) if n == c && c != ';') {
                    2
                } else {
                    1
                };
            }
            '>' | '<' => {
                // A word of digits just before is the descriptor: `2>`.
                if in_word && word.chars().all(|d| d.is_ascii_digit()) {
                    word.clear();
                    in_word = false;
                } else {
                    flush(&mut word, &mut in_word, &mut tokens);
                }
                i += 1;
                while i < chars.len() && matches!(chars[i], '>' | '&') {
                    i += 1;
                }
                // `2>&1`: the descriptor is part of the operator; otherwise the next
                // word, spaced or not (`>file`), is the target.
                let dup = chars[..i].ends_with(&['&']);
                while dup && i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                tokens.push(Token::Redirect { takes_target: !dup });
            }
            _ => {
                word.push(c);
                in_word = true;
                i += 1;
            }
        }
    }
    flush(&mut word, &mut in_word, &mut tokens);
    tokens
}

/// Words that start a command after them, like an operator.
const KEYWORDS: [&str; 8] = ["if", "then", "else", "elif", "do", "exec", "!", "time"];

/// The arguments of each `profe-migrate` command in `text` (a shell script), in order.
pub fn profe_migrate_commands(text: &str) -> Vec<Vec<String>> {
    let joined = text.replace("\\\n", " ");
    let mut commands = Vec::new();
    for line in joined.lines() {
        let mut at_start = true;
        let mut current: Option<Vec<String>> = None;
        let mut skip_target = false;
        for token in tokenize(line) {
            match token {
                Token::Word(_) if skip_target => skip_target = false,
                Token::Word(w) => {
                    if let Some(args) = current.as_mut() {
                        args.push(w);
                    } else if at_start && (w == "profe-migrate" || w.ends_with("/profe-migrate")) {
                        current = Some(Vec::new());
                    } else {
                        at_start = KEYWORDS.contains(&w.as_str());
                    }
                }
                Token::Redirect { takes_target } => skip_target = takes_target,
                Token::Op => {
                    commands.extend(current.take());
                    at_start = true;
                }
            }
        }
        commands.extend(current);
    }
    commands
}

/// The bodies of the fenced blocks of `markdown` whose language is `sh`, `bash` or `shell`.
pub fn shell_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match current.as_mut() {
            Some(body) if line.trim_start().starts_with("```") => {
                blocks.push(std::mem::take(body));
                current = None;
            }
            Some(body) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {
                let fence = line.trim_start();
                if let Some(lang) = fence.strip_prefix("```")
                    && matches!(lang.trim(), "sh" | "bash" | "shell")
                {
                    current = Some(String::new());
                }
            }
        }
    }
    blocks
}

/// The tokenizer on the forms the examples use (run as a trial: the harness has no
/// `#[test]`s).
pub fn self_check() -> Result<(), String> {
    let cases: [(&str, &[&[&str]]); 7] = [
        (
            "profe-migrate plan --from \"$DATABASE_URL\" --format markdown > plan.md",
            &[&["plan", "--from", VALUE, "--format", "markdown"]],
        ),
        (
            "code=0; profe-migrate drift >drift.md || code=$?  # comment",
            &[&["drift"]],
        ),
        (
            "profe-migrate apply --allow-hazards \"${HAZARDS:-}\" --yes 2>&1 | tee log",
            &[&["apply", "--allow-hazards", "", "--yes"]],
        ),
        (
            "profe-migrate backup list; profe-migrate backup restore ID --database-url URL",
            &[
                &["backup", "list"],
                &["backup", "restore", "ID", "--database-url", "URL"],
            ],
        ),
        (
            "echo profe-migrate plan; id=$(profe-migrate history --format json)",
            &[&["history", "--format", "json"]],
        ),
        (
            "if true; then target/release/profe-migrate status \\\n  --environment 'prod x'; fi",
            &[&["status", "--environment", "prod x"]],
        ),
        ("profe-migrate serve &", &[&["serve"]]),
    ];
    for (text, want) in cases {
        let got = profe_migrate_commands(text);
        if got != want {
            return Err(format!("{text:?}: read as {got:?}, expected {want:?}"));
        }
    }
    Ok(())
}
