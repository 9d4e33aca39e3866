//! Render time of the largest screens, on ratatui's `TestBackend` at 120x36
//! (the snapshot size), from the demo account: the main view with the detail
//! pane of the item with the most text, the largest diff preview, and help.
//!
//!     cargo bench --bench render
//!
//! Target (BENCHMARKS.md): a render of the largest screen < 2 ms. `cargo test
//! --all-targets` runs each benchmark once, as a smoke test.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use moat::collect::Mode;
use moat::collect::demo::demo_inventory;
use moat::config::Settings;
use moat::tui::model::{Focus, Overlay};
use moat::tui::update::update_inline as update;
use moat::tui::update::{Effect, load_inventory};
use moat::tui::{Keymap, Model, Msg, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

const W: u16 = 120;
const H: u16 = 36;

/// The demo account, every part loaded (as the screen snapshots start).
fn demo() -> Model {
    let now = "2026-11-29T00:00:00Z".parse().expect("fixed time");
    let keymap = Keymap::builtin().expect("keymap");
    let mut m = Model::new(Mode::Demo, Settings::default(), keymap, now);
    let inv = demo_inventory().expect("demo inventory");
    load_inventory(&mut m, &inv);
    m
}

fn select(m: &mut Model, id: &str) {
    let def = moat::checks::item(id).expect("item");
    m.section = m
        .sections
        .iter()
        .position(|s| *s == def.section)
        .expect("section");
    m.item = m
        .current_items()
        .iter()
        .position(|(_, d)| d.id == id)
        .expect("in section");
    m.focus = Focus::Items;
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn item_ids(m: &Model) -> Vec<&'static str> {
    m.results
        .iter()
        .filter_map(|r| moat::checks::item(&r.id).map(|d| d.id))
        .collect()
}

/// Non-blank cells of the screen drawn `height` rows tall: how much text a
/// screen lays out (the detail pane wraps all of its text, visible or not).
fn text_amount(m: &Model, height: u16) -> usize {
    let mut t = Terminal::new(TestBackend::new(W, height)).expect("terminal");
    t.draw(|f| view::render(f, m)).expect("draw");
    t.backend()
        .buffer()
        .content()
        .iter()
        .filter(|c| !c.symbol().trim().is_empty())
        .count()
}

/// The demo model with the item whose detail pane has the most text selected.
fn largest_detail() -> (Model, &'static str) {
    let mut m = demo();
    let ids = item_ids(&m);
    let id = ids
        .into_iter()
        .max_by_key(|id| {
            select(&mut m, id);
            text_amount(&m, 400)
        })
        .expect("items");
    select(&mut m, id);
    (m, id)
}

/// The demo model showing the largest diff preview (`p` on each item).
fn largest_preview() -> (Model, &'static str) {
    let ids = item_ids(&demo());
    let id = ids
        .into_iter()
        .filter_map(|id| {
            let mut m = demo();
            select(&mut m, id);
            update(&mut m, key('p'));
            matches!(m.overlay, Some(Overlay::Preview(_))).then(|| (text_amount(&m, H), id))
        })
        .max()
        .expect("an item with a preview")
        .1;
    let mut m = demo();
    select(&mut m, id);
    update(&mut m, key('p'));
    (m, id)
}

fn bench(c: &mut Criterion) {
    let mut term = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    let mut g = c.benchmark_group("render 120x36");

    let (main, id) = largest_detail();
    g.bench_function(format!("main, detail of {id}"), |b| {
        b.iter(|| {
            term.draw(|f| view::render(f, black_box(&main)))
                .expect("draw");
        })
    });

    let (preview, id) = largest_preview();
    g.bench_function(format!("diff preview of {id}"), |b| {
        b.iter(|| {
            term.draw(|f| view::render(f, black_box(&preview)))
                .expect("draw");
        })
    });

    let mut help = demo();
    update(&mut help, key('?'));
    g.bench_function("help", |b| {
        b.iter(|| {
            term.draw(|f| view::render(f, black_box(&help)))
                .expect("draw");
        })
    });
    g.finish();
}

/// The demo account with `n` more buckets, each failing several S3 items
/// (a copy of the demo's public website bucket under a new name), and `n`
/// more security group rules open to the internet (`n / 4` groups of four
/// rules in us-east-1), each a finding of ec2.open-admin-ports.
fn large(n: usize) -> moat::aws::inventory::Inventory {
    use moat::aws::inventory::{SecurityGroup, SgRule, SgSource};
    let mut inv = demo_inventory().expect("demo inventory");
    if let Some(s3) = inv.s3.ready_mut() {
        let template = s3
            .buckets
            .iter()
            .find(|b| b.name == "example-corp-www")
            .cloned()
            .expect("the website bucket");
        for i in 0..n {
            let mut b = template.clone();
            b.name = format!("bulk-bucket-{i:05}");
            s3.buckets.push(b);
        }
    }
    if let Some(net) = inv
        .ec2_network
        .ready_mut()
        .and_then(|n| n.ready_mut("us-east-1"))
    {
        for g in 0..n / 4 {
            let ingress = [22, 3389, 5432, 8080]
                .into_iter()
                .map(|port| SgRule {
                    protocol: "tcp".into(),
                    from_port: Some(port),
                    to_port: Some(port),
                    source: SgSource::Ipv4("0.0.0.0/0".into()),
                    description: None,
                })
                .collect();
            net.security_groups.push(SecurityGroup {
                id: format!("sg-bulk{g:012}"),
                name: format!("bulk-group-{g:05}"),
                vpc_id: "vpc-0a1b2c3d4e5f60718".into(),
                description: "bulk".into(),
                ingress,
                egress: vec![],
                tags: Default::default(),
            });
        }
    }
    inv
}

fn loaded(inv: &moat::aws::inventory::Inventory) -> Model {
    let now = "2026-11-29T00:00:00Z".parse().expect("fixed time");
    let mut m = Model::new(
        Mode::Demo,
        Settings::default(),
        Keymap::builtin().expect("keymap"),
        now,
    );
    load_inventory(&mut m, inv);
    m
}

/// A large account: does the UI stall? Everything here but the last bench
/// runs on the UI task. Loading (every item evaluated), one part arriving
/// (only the items that read it are re-evaluated), the detail pane of an
/// item with 10,000 findings, and `p`: the UI task only hands the plan to a
/// blocking thread; building and diffing it there is the last bench.
fn bench_large(c: &mut Criterion) {
    const N: usize = 10_000;
    let inv = large(N);
    let mut g = c.benchmark_group(format!("{N} buckets and {N} open rules"));
    g.sample_size(10);
    g.bench_function("load and evaluate every item", |b| {
        b.iter(|| loaded(black_box(&inv)))
    });
    let mut m = loaded(&inv);
    for part in [
        moat::aws::inventory::PartId::Ec2Network,
        moat::aws::inventory::PartId::S3Buckets,
    ] {
        part_arrives(&mut g, &mut m, &inv, part, "");
    }
    let mut term = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    for id in ["ec2.open-admin-ports", "s3.deny-insecure-transport"] {
        select(&mut m, id);
        m.focus = Focus::Detail;
        let count = m.current().map(|(_, r)| r.findings.len()).unwrap_or(0);
        assert!(count >= N, "{id} has {count} findings");
        g.bench_function(
            format!("render the detail of {id} ({count} findings)"),
            |b| {
                b.iter(|| {
                    term.draw(|f| view::render(f, black_box(&m))).expect("draw");
                })
            },
        );
    }
    guided_session_views(&mut g, &mut m, &mut term, &inv);
    select(&mut m, "s3.bucket-public-access-block");
    g.bench_function("p on s3.bucket-public-access-block (UI task)", |b| {
        b.iter(|| {
            let effects = moat::tui::update::update(&mut m, key('p'));
            assert!(matches!(m.overlay, Some(Overlay::Planning(_))));
            update(
                &mut m,
                Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
            );
            effects
        })
    });
    g.bench_function(
        "plan and preview s3.bucket-public-access-block (blocking thread)",
        |b| {
            b.iter(|| {
                update(&mut m, key('p'));
                assert!(matches!(m.overlay, Some(Overlay::Preview(_))));
                update(
                    &mut m,
                    Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
                );
            })
        },
    );
    g.finish();
}

/// Part `part` of `inv` arrives again: what it costs the UI task (hand the
/// items that read it to a check job), and the job on its blocking thread;
/// then the model takes the job's answers.
fn part_arrives(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    m: &mut Model,
    inv: &moat::aws::inventory::Inventory,
    part: moat::aws::inventory::PartId,
    with: &str,
) {
    let value = inv.get(part).expect("the part");
    let arrive = |m: &mut Model, value| {
        let generation = m.part_gen[&part];
        moat::tui::update::update(
            m,
            Msg::Part {
                generation,
                part,
                result: Ok(value),
            },
        )
    };
    // The part as it arrives is made outside the measure; the part it
    // replaces is dropped inside it, as on the UI task.
    g.bench_function(
        format!("part {part:?} arrives{with} (UI task: hand its items to a check job)"),
        |b| b.iter_batched(|| value.clone(), |v| arrive(m, v), BatchSize::LargeInput),
    );
    let job = arrive(m, value.clone())
        .into_iter()
        .find_map(|e| match e {
            Effect::Check(job) => Some(job),
            _ => None,
        })
        .expect("a check job");
    g.bench_function(
        format!(
            "check the {} items that read {part:?}{with} (blocking thread)",
            job.tasks.len()
        ),
        |b| b.iter(|| job.run()),
    );
    settle(m, job);
}

/// Hand `job`'s answers to the model, as the runtime does.
fn settle(m: &mut Model, job: Box<moat::tui::evaluate::CheckJob>) {
    let answers = job.run();
    update(
        m,
        Msg::Checked {
            seq: job.seq,
            answers,
        },
    );
    assert_eq!(m.checking_count(), 0);
}

/// The guided session's views on the large account, each a key handled and
/// the screen drawn (what one keypress costs the UI task): the S3 section's
/// page, typing into the `/` filter, the attention toggle; the comparison
/// with a saved scan of the same size, redone whenever a part arrives; the
/// journal view over 10,000 journaled calls and the detail's "last changed
/// by moat"; marking a section's items and handing their batch to a thread.
fn guided_session_views(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    m: &mut Model,
    term: &mut Terminal<TestBackend>,
    inv: &moat::aws::inventory::Inventory,
) {
    let esc = || Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    select(m, "s3.deny-insecure-transport");
    m.focus = Focus::Sections;
    g.bench_function("render the S3 section's page", |b| {
        b.iter(|| {
            term.draw(|f| view::render(f, black_box(&*m)))
                .expect("draw");
        })
    });
    m.focus = Focus::Items;
    g.bench_function("`/` filter: type a character and draw", |b| {
        b.iter(|| {
            update(m, key('/'));
            update(m, key('s'));
            term.draw(|f| view::render(f, black_box(&*m)))
                .expect("draw");
            update(m, esc());
        })
    });
    g.bench_function("`f` attention toggle: press and draw", |b| {
        b.iter(|| {
            update(m, key('f'));
            term.draw(|f| view::render(f, black_box(&*m)))
                .expect("draw");
        })
    });
    if m.attention_only {
        update(m, key('f'));
    }
    let account = m.account_raw.clone().expect("account");
    let mut scan = moat::report::compare::SavedScan::of(&account, true, m.now, &m.results);
    // One finding fewer and one more than now: both sides of the comparison
    // have work to do.
    if let Some(i) = scan.items.iter_mut().find(|i| !i.findings.is_empty()) {
        i.findings.pop();
    }
    let baseline = moat::history::Baseline {
        scan,
        path: Default::default(),
        fixed_by_moat: Default::default(),
    };
    let arrives = |m: &mut Model, b: moat::history::Baseline| {
        moat::tui::update::update(
            m,
            Msg::BaselineLoaded {
                account: account.clone(),
                result: Ok(Some(Box::new(b))),
            },
        )
    };
    let findings: usize = m.results.iter().map(|r| r.findings.len()).sum();
    g.bench_function(
        "the last scan arrives (UI task: hand the comparison to a job)",
        |b| {
            b.iter_batched(
                || baseline.clone(),
                |b| arrives(m, b),
                BatchSize::LargeInput,
            )
        },
    );
    let job = arrives(m, baseline.clone())
        .into_iter()
        .find_map(|e| match e {
            Effect::Check(job) => Some(job),
            _ => None,
        })
        .expect("a comparison job");
    g.bench_function(
        format!("compare with the last scan ({findings} findings; blocking thread)"),
        |b| b.iter(|| job.run()),
    );
    settle(m, job);
    assert!(
        m.compare
            .comparison
            .as_ref()
            .is_some_and(|c| c.compared("s3.deny-insecure-transport"))
    );
    part_arrives(
        g,
        m,
        inv,
        moat::aws::inventory::PartId::S3Buckets,
        ", with the last scan",
    );
    g.bench_function("render the main view with the comparison", |b| {
        b.iter(|| {
            term.draw(|f| view::render(f, black_box(&*m)))
                .expect("draw");
        })
    });

    // The journal: a thousand batches of ten calls each.
    let entries = journal(1_000);
    let calls = entries.len();
    let loaded = |m: &mut Model| {
        moat::tui::update::update(
            m,
            Msg::JournalLoaded {
                account: account.clone(),
                result: Ok(moat::tui::update::JournalRead {
                    entries: entries.clone(),
                    skipped: vec![],
                }),
            },
        )
    };
    g.bench_function(
        format!("the journal arrives ({calls} calls in 1,000 batches)"),
        |b| b.iter(|| loaded(m)),
    );
    loaded(m);
    update(m, key('J'));
    assert!(matches!(m.overlay, Some(Overlay::Journal(_))));
    g.bench_function("render the journal view", |b| {
        b.iter(|| {
            term.draw(|f| view::render(f, black_box(&*m)))
                .expect("draw");
        })
    });
    g.bench_function("`j` in the journal: move and draw", |b| {
        b.iter(|| {
            update(m, key('j'));
            term.draw(|f| view::render(f, black_box(&*m)))
                .expect("draw");
        })
    });
    update(m, esc());
    select(m, "s3.bucket-public-access-block");
    m.focus = Focus::Detail;
    g.bench_function(
        "render the detail with when moat last changed the item",
        |b| {
            b.iter(|| {
                term.draw(|f| view::render(f, black_box(&*m)))
                    .expect("draw");
            })
        },
    );

    // Several items in one go: the S3 section's failing items.
    m.focus = Focus::Items;
    g.bench_function(
        "`A` marks (or unmarks) the S3 section's items, and draw",
        |b| {
            b.iter(|| {
                update(m, key('A'));
                term.draw(|f| view::render(f, black_box(&*m)))
                    .expect("draw");
            })
        },
    );
    if m.marks.is_empty() {
        update(m, key('A'));
    }
    assert!(!m.marks.is_empty());
    g.bench_function(
        "`p` with marks (UI task: hand the batch to a thread)",
        |b| {
            b.iter(|| {
                let effects = moat::tui::update::update(m, key('p'));
                update(m, esc());
                effects
            })
        },
    );
    update(m, key('U'));
}

/// `batches` journal batches of ten calls each (public access blocks put
/// on the bulk buckets), a minute apart, every one applied.
fn journal(batches: usize) -> Vec<moat::journal::Entry> {
    use moat::aws::ops::{DeleteBucketPublicAccessBlock, PutBucketPublicAccessBlock};
    use moat::journal::{Entry, EntryState};
    let start: chrono::DateTime<chrono::Utc> = "2026-01-01T00:00:00Z".parse().expect("time");
    (0..batches)
        .flat_map(|b| {
            (0..10).map(move |i| {
                let bucket = format!("bulk-bucket-{:05}", b * 10 + i);
                Entry {
                    entry: format!("b{b:05}.{i}"),
                    batch: format!("b{b:05}"),
                    item: "s3.bucket-public-access-block".into(),
                    time: start + chrono::Duration::minutes(b as i64),
                    op: PutBucketPublicAccessBlock {
                        bucket: bucket.clone(),
                        region: "us-east-1".into(),
                        config: moat::aws::inventory::PublicAccessBlock::ALL,
                    }
                    .into(),
                    inverse: Some(vec![
                        DeleteBucketPublicAccessBlock {
                            bucket,
                            region: "us-east-1".into(),
                        }
                        .into(),
                    ]),
                    state: EntryState::Applied,
                    created: None,
                    warning: None,
                    after: vec![],
                    undone: None,
                }
            })
        })
        .collect()
}

criterion_group!(benches, bench, bench_large);
criterion_main!(benches);
