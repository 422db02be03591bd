//! `carry export` and `carry import` on the tablet's and the companion's
//! command lines: one code, the same words on both.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::str::FromStr as _;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use super::{
    CarryChoice, CarryError, CarryPassphrase, DiseasePick, Preview, import_carry_file,
    open_carry_file, parse_section, section_label, write_carry_file,
};
use crate::backup::shown;
use crate::login;
use crate::model::CaseId;
use crate::store::MediaId;

/// The variable a client's own record's passphrase is read from when it
/// is taken in (else it is asked for).
pub const PASSPHRASE_VAR: &str = "TSUNAGI_CARRY_PASSPHRASE";

/// `carry …`: the client's own record (本人携帯記録).
#[derive(Debug, Subcommand)]
pub enum CarryCommand {
    /// Writes the client's own record of a case with what the client
    /// chose, records the choice as a consent (本人携帯記録) on the case,
    /// and prints the passphrase once, for the client's paper.
    Export(ExportArgs),
    /// Opens a client's own record with the passphrase on the client's
    /// paper (from TSUNAGI_CARRY_PASSPHRASE, else asked for), shows what
    /// it holds, and creates a new case with it after confirmation.
    Import(ImportArgs),
}

/// `carry …` on the companion: the office takes a client's own record in;
/// records are made on the tablet, with the client at the table.
#[derive(Debug, Subcommand)]
pub enum OfficeCarryCommand {
    /// Opens a client's own record with the passphrase on the client's
    /// paper (from TSUNAGI_CARRY_PASSPHRASE, else asked for), shows what
    /// it holds, and creates a new case with it after confirmation.
    Import(ImportArgs),
}

/// `carry export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The case id.
    pub case: String,
    /// Whole sections, comma-separated: basic, career_plan (or profile,
    /// discovery), job_match, case_management (or support_plan),
    /// monitoring, consultations.
    #[arg(long, value_delimiter = ',', value_name = "SECTION,…")]
    pub sections: Vec<String>,
    /// A disease by its number in the case (from 1) or its id, with the
    /// vocational issues and accommodations that go with it; repeat for
    /// more.
    #[arg(long = "disease", value_name = "N|ID")]
    pub diseases: Vec<String>,
    /// A photo or video the client approved, by its id; repeat for more.
    #[arg(long = "media", value_name = "ID")]
    pub media: Vec<String>,
    /// The file to write (on the client's phone or USB stick).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `carry import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The client's own record.
    pub file: PathBuf,
    /// Create the case without asking.
    #[arg(long)]
    pub yes: bool,
}

/// Runs `carry export` or `carry import`; `program` names the program in
/// the file and the messages.
pub fn run(program: &str, dir: &Path, command: CarryCommand) -> anyhow::Result<()> {
    match command {
        CarryCommand::Export(args) => run_export(program, dir, args),
        CarryCommand::Import(args) => run_import(program, dir, args),
    }
}

/// Runs the companion's `carry import`.
pub fn run_office(program: &str, dir: &Path, command: OfficeCarryCommand) -> anyhow::Result<()> {
    match command {
        OfficeCarryCommand::Import(args) => run_import(program, dir, args),
    }
}

fn choice_of(args: &ExportArgs) -> anyhow::Result<CarryChoice> {
    let mut choice = CarryChoice::default();
    for word in args.sections.iter().filter(|w| !w.trim().is_empty()) {
        choice.sections.insert(parse_section(word)?);
    }
    for word in &args.diseases {
        choice
            .diseases
            .push(DiseasePick::from_str(word).expect("any word names a disease"));
    }
    for word in &args.media {
        choice.media.push(MediaId::from_str(word).map_err(|_| {
            anyhow::anyhow!("{word:?} は写真・動画のIDではありません ({word:?} is not a media id)")
        })?);
    }
    if choice.is_empty() {
        return Err(CarryError::NothingChosen.into());
    }
    Ok(choice)
}

/// `carry export CASE_ID --sections … [--disease N …] [--media ID …] --out FILE`.
pub fn run_export(program: &str, dir: &Path, args: ExportArgs) -> anyhow::Result<()> {
    let case = CaseId::from_str(&args.case).map_err(|_| {
        anyhow::anyhow!(
            "{:?} はケースIDではありません ({:?} is not a case id)",
            args.case,
            args.case
        )
    })?;
    // Refused before the store is opened.
    let choice = choice_of(&args)?;
    let mut store = login::unlock(program, dir)?;
    let passphrase = CarryPassphrase::generate();
    let preview = write_carry_file(&mut store, case, &choice, &passphrase, program, &args.out)
        .with_context(|| {
            format!(
                "本人携帯記録を作れませんでした。{} は元のままです (no client's own record was made; {} is as it was)",
                args.out.display(),
                args.out.display()
            )
        })?;
    println!(
        "本人携帯記録を書き出しました: {} (wrote the client's own record)",
        args.out.display()
    );
    for line in preview_lines(&preview) {
        println!("{line}");
    }
    println!("パスフレーズ (passphrase): {}", passphrase.expose());
    println!(
        "このパスフレーズを紙に書いて本人に渡し、ファイルとは別に保管するよう伝えてください。もう一度は表示しません。 \
         Write this passphrase on paper and give it to the client, to keep apart from the file; it is not shown again."
    );
    Ok(())
}

/// `carry import FILE [--yes]`.
pub fn run_import(program: &str, dir: &Path, args: ImportArgs) -> anyhow::Result<()> {
    let mut store = login::unlock(program, dir)?;
    let passphrase = login::from_env_or_prompt(
        PASSPHRASE_VAR,
        "本人携帯記録のパスフレーズ (the passphrase on the client's paper): ",
        true,
    )?;
    let file = open_carry_file(&args.file, &passphrase)?;
    println!("本人携帯記録の内容 (what the client's own record holds):");
    for line in preview_lines(&file.preview()) {
        println!("{line}");
    }
    if !args.yes && !confirmed()? {
        bail!("ケースは作成していません (no case was created)");
    }
    let id = import_carry_file(&mut store, &file)?;
    println!("{id}");
    eprintln!(
        "本人携帯記録から新しいケースを作成しました。同意と写真・動画の利用の承認は、本人に確かめてこの機関で記録してください。 \
         Created a new case from the client's own record; record the client's consents and approvals of photos and video here, with the client."
    );
    Ok(())
}

/// Asks `y/N` on the terminal; without one, refuses (`--yes` says it).
fn confirmed() -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "確認のための端末がありません。内容を確かめたうえで --yes を付けてください。ケースは作成していません \
             (there is no terminal to confirm on: check the contents, then give --yes; no case was created)"
        );
    }
    eprint!("このケースを作成しますか (create this case)? [y/N]: ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .context("could not read from the terminal")?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "はい"))
}

/// What a record holds, one line each, Japanese then English.
pub fn preview_lines(preview: &Preview) -> Vec<String> {
    let name = preview.name.expose().trim();
    let mut lines = vec![
        format!(
            "  氏名 (name): {}",
            if name.is_empty() {
                "（入っていません / not in the file）".to_owned()
            } else {
                shown(name)
            }
        ),
        format!("  作成日時 (made): {}", preview.created_at),
        format!(
            "  作成した機関 (agency): {}",
            preview
                .agency
                .as_deref()
                .map_or_else(|| "（不明 / not named）".to_owned(), shown)
        ),
    ];
    let sections: Vec<String> = preview
        .sections
        .iter()
        .map(|s| {
            let (ja, en) = section_label(*s);
            format!("{ja} ({en})")
        })
        .collect();
    lines.push(format!(
        "  項目 (sections): {}",
        if sections.is_empty() {
            "なし (none)".to_owned()
        } else {
            sections.join("、")
        }
    ));
    let diseases: Vec<String> = preview.diseases.iter().map(|d| shown(d)).collect();
    lines.push(format!(
        "  疾患 (diseases): {}",
        if diseases.is_empty() {
            "なし (none)".to_owned()
        } else {
            diseases.join("、")
        }
    ));
    lines.push(format!(
        "  写真 {}件・動画 {}件 ({} photo(s), {} video(s))",
        preview.photos, preview.videos, preview.photos, preview.videos
    ));
    lines
}
