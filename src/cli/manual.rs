//! `moat completions SHELL` and `moat man`, generated from the clap definition.

use super::{CliResult, Shell};
use clap::CommandFactory;
use std::io::Write;

/// The name the scripts and the page are written for.
const BIN: &str = "moat";

pub fn completions(shell: Shell) -> CliResult {
    print_out(&completion_script(shell))
}

pub fn man() -> CliResult {
    print_out(&man_page()?)
}

/// Write to stdout; a closed pipe (`moat man | head`) is not an error.
fn print_out(bytes: &[u8]) -> CliResult {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(0),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// The completion script for `shell`.
fn completion_script(shell: Shell) -> Vec<u8> {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut cmd = super::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut out);
    out
}

/// One roff page: the main command (synopsis, description, global options,
/// examples), then a COMMANDS section with every subcommand's synopsis,
/// description and own options.
fn man_page() -> std::io::Result<Vec<u8>> {
    let mut cmd = super::Cli::command().bin_name(BIN);
    cmd.build();
    let page = clap_mangen::Man::new(cmd.clone()).title("MOAT");
    let mut out = Vec::new();
    page.render_title(&mut out)?;
    page.render_name_section(&mut out)?;
    page.render_synopsis_section(&mut out)?;
    page.render_description_section(&mut out)?;
    page.render_options_section(&mut out)?;
    out.extend_from_slice(b".SH COMMANDS\n");
    for sub in subcommands(&cmd) {
        render_command(sub, &mut out)?;
    }
    let mut extra = Vec::new();
    page.render_extra_section(&mut extra)?;
    examples(&String::from_utf8_lossy(&extra), &mut out);
    page.render_version_section(&mut out)?;
    Ok(dedup_preamble(&out))
}

/// Visible subcommands, without clap's generated `help`.
fn subcommands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

/// The after-help text (`Examples:` lines, then `Exit codes: …`) as an
/// EXAMPLES section kept line by line and an EXIT STATUS section.
fn examples(extra: &str, out: &mut Vec<u8>) {
    let mut lines: Vec<String> = vec![];
    let mut in_examples = false;
    for line in extra.lines() {
        match line {
            ".SH EXTRA" => {
                lines.push(".SH EXAMPLES".into());
                lines.push(".nf".into());
                in_examples = true;
            }
            "Examples:" if in_examples => {}
            l if in_examples && l.starts_with("Exit codes:") => {
                lines.push(".fi".into());
                lines.push(".SH \"EXIT STATUS\"".into());
                lines.push(l.trim_start_matches("Exit codes:").trim().to_string());
                in_examples = false;
            }
            l => lines.push(l.to_string()),
        }
    }
    if in_examples {
        lines.push(".fi".into());
    }
    for l in lines {
        out.extend_from_slice(l.as_bytes());
        out.push(b'\n');
    }
}

/// Every render call repeats the roff crate's two-line preamble (the `Aq`
/// string); keep its first occurrence only.
fn dedup_preamble(page: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(page.len());
    for line in text.lines() {
        let preamble = line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq");
        if preamble && !seen.insert(line.to_string()) {
            continue;
        }
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out
}

/// One subcommand (and its own subcommands) as `.SS` subsections.
fn render_command(sub: &clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    // The global options and --help are on the main page already.
    let sub = sub.clone().mut_args(|a| {
        if a.is_global_set() || a.get_id() == "help" {
            a.hide(true)
        } else {
            a
        }
    });
    let name = sub.get_bin_name().unwrap_or(sub.get_name()).to_string();
    writeln!(out, ".SS \"{}\"", name.replace('"', ""))?;
    let page = clap_mangen::Man::new(sub.clone());
    let mut body = Vec::new();
    page.render_description_section(&mut body)?;
    body.extend_from_slice(b".PP\n");
    page.render_synopsis_section(&mut body)?;
    if sub.get_arguments().any(|a| !a.is_hide_set()) {
        page.render_options_section(&mut body)?;
    }
    // Each part opens with its own `.SH`; here they are paragraphs of one subsection.
    for line in String::from_utf8_lossy(&body).lines() {
        if line.starts_with(".SH") {
            continue;
        }
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    for nested in subcommands(&sub) {
        render_command(nested, out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_scripts_name_the_subcommands() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let script = String::from_utf8(completion_script(shell)).expect("utf-8");
            assert!(!script.trim().is_empty(), "{shell:?}");
            for word in ["moat", "scan", "apply", "undo", "profile"] {
                assert!(script.contains(word), "{shell:?} script lacks {word}");
            }
        }
    }

    #[test]
    fn man_page_is_one_page_with_every_subcommand() {
        let page = String::from_utf8(man_page().expect("render")).expect("utf-8");
        let first = page.lines().find(|l| !l.contains(".ds Aq"));
        assert!(first.is_some_and(|l| l.starts_with(".TH MOAT 1")), "{page}");
        assert_eq!(page.matches(".TH").count(), 1, "one page");
        for heading in [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH OPTIONS",
            ".SH COMMANDS",
            ".SS \"moat scan\"",
            ".SS \"moat apply\"",
            ".SS \"moat undo\"",
            ".SS \"moat config init\"",
            ".SS \"moat completions\"",
        ] {
            assert!(page.contains(heading), "missing {heading}:\n{page}");
        }
        // Subcommand options are listed; global ones only once, on the main page.
        assert!(page.contains("\\-\\-format"), "{page}");
        let entry = "\\fB\\-\\-profile\\fR \\fI<PROFILE>\\fR";
        assert_eq!(page.matches(entry).count(), 1, "{page}");
        assert!(
            !page.contains("moat help"),
            "clap's help subcommand is left out"
        );
        assert!(page.contains(".SH EXAMPLES\n.nf\n"), "{page}");
        assert!(page.contains(".SH \"EXIT STATUS\""), "{page}");
        assert_eq!(page.matches(".ds Aq").count(), 2, "one preamble");
    }
}
