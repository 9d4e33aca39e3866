use clap::Parser;
use moat::cli::{self, Cli};
use std::process::ExitCode;

/// Log targets that handle credentials, capped whatever `MOAT_LOG` says.
const CREDENTIAL_LOG_CAPS: &[&str] = &[
    "aws_sigv4=info",
    "aws_config=info",
    "aws_credential_types=info",
    "aws_runtime=info",
    // Dumps its config bag (the resolved identity included) and every
    // request's headers at debug/trace.
    "aws_smithy_runtime=info",
    "aws_smithy_runtime_api=info",
    "aws_smithy_http_client=info",
    "aws_smithy_http=info",
];

/// Log to `<state dir>/moat.log` (0600), never to the terminal.
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = moat::state::state_dir();
    let file = moat::state::private_append(&dir.join("moat.log")).ok()?;
    // A queue of 8,192 lines, not the default 128,000 (4 MB reserved up
    // front, a twentieth of a scan's memory): a scan logs a few hundred
    // lines; when the writer falls behind, lines are dropped, never waited on.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(8192)
        .finish(file);
    let mut filter = tracing_subscriber::EnvFilter::try_from_env("MOAT_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(
            "info,aws_config=warn,aws_smithy_runtime=warn,hyper=warn",
        )
    });
    // Whatever MOAT_LOG asks for, the SDK's credential and signing code stays
    // quiet: at debug/trace it prints the access key id, the canonical request
    // (with the session token) and the signing key's inputs.
    for cap in CREDENTIAL_LOG_CAPS {
        if let Ok(d) = cap.parse() {
            filter = filter.add_directive(d);
        }
    }
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .init();
    Some(guard)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _guard = init_logging();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("moat: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = rt.block_on(async move {
        if cli.command.is_none() {
            let config = cli::load_config(&cli.global)?;
            let ran = match cli::session_accounts(&cli.global, &config.settings).await? {
                cli::SessionAccounts::One(backend) => {
                    moat::tui::run(moat::tui::Config {
                        backend,
                        state_dir: moat::state::state_dir(),
                        settings: config.settings,
                        keys: config.keys,
                    })
                    .await
                }
                cli::SessionAccounts::Several(accounts) => {
                    moat::tui::accounts::run(moat::tui::accounts::AccountsConfig {
                        accounts,
                        state_dir: moat::state::state_dir(),
                        settings: config.settings,
                        keys: config.keys,
                        dry_run: cli.global.dry_run,
                    })
                    .await
                }
            };
            ran.map(|_| 0)
                .map_err(|e| cli::CliError::usage(format!("{e:#}")))
        } else {
            cli::run(cli).await
        }
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("moat: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}
