//! The case screen's forms, with no window: which fields each tab shows,
//! turning a [`Case`] into blocks of fields, and turning edits back into
//! [`Section`]s to save.
//!
//! A field is named by its path in the case, in the notation of the store's
//! history (`basic.name`, `career_plan.discovery.strengths[id=…].text`,
//! `basic.disability_certificates[0].grade`), so the same path asks
//! [`tsunagi_core::store::Store::history`] for the field's changes.
//!
//! The form edits the case as JSON (the store's own section format) and
//! checks every edit by reading the section back into the model: a value the
//! model refuses (a grade of 300 for a `u8`) marks the field invalid and is
//! not saved.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};
use time::Date;
use tsunagi_core::model::{Case, CaseId, SupportStage};
use tsunagi_core::model::{ConsultationKind, Section, SectionName, new_item_id};

use super::case_fields::{Part, parts};
use super::i18n::Language;
use super::i18n::{self, tr_in};

pub use super::case_fields::{Kind, Tab};

/// One field as the screen shows it.
#[derive(Clone, Debug)]
pub struct FieldView {
    /// Path in the case (also the history key).
    pub path: String,
    /// Visible label.
    pub label: String,
    /// Screen-reader label (the label, with the row's title for list rows).
    pub a11y: String,
    /// How it is edited.
    pub kind: Kind,
    /// The text shown (texts, numbers, dates).
    pub value: String,
    /// Option labels (choices).
    pub options: Vec<String>,
    /// Chosen option, -1 for none.
    pub choice: i32,
    /// Ticked (checks).
    pub checked: bool,
    /// Path of the list item this field removes, when it is a one-line list entry.
    pub remove_path: String,
}

/// A group of fields under a title: a section part or one row of a list.
#[derive(Clone, Debug, Default)]
pub struct BlockView {
    /// Title.
    pub title: String,
    /// Path for the title's 履歴 button.
    pub path: String,
    /// 0 for a section part, 1 for a list row, 2 for a row of a row.
    pub level: i32,
    /// The fields.
    pub fields: Vec<FieldView>,
    /// Label of the add button ("" for none) and the list it adds to.
    pub add_label: String,
    /// The list (or optional part) the add button adds to.
    pub add_path: String,
    /// The item the remove button removes ("" for none).
    pub remove_path: String,
    /// Label and path of the block's action (撤回: sets the date at the path to today).
    pub action_label: String,
    /// Where the action writes today's date.
    pub action_path: String,
}

/// Why an edit was not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditError {
    /// The path names no field on the form.
    NoSuchField,
    /// The text is not a value of the field's kind (a number, a date).
    Invalid,
}

use Kind::{Check, Choice, Date as DateKind, Employer, Float, Int, Multiline, Text};

fn join(base: &str, rel: &str) -> String {
    match (base.is_empty(), rel.is_empty()) {
        (_, true) => base.to_owned(),
        (true, false) => rel.to_owned(),
        (false, false) => format!("{base}.{rel}"),
    }
}

/// One step of a path.
#[derive(Debug, PartialEq)]
enum Step<'a> {
    Key(&'a str),
    Id(&'a str),
    Index(usize),
}

fn steps(path: &str) -> Option<Vec<Step<'_>>> {
    let mut out = Vec::new();
    for piece in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = piece.split_at(piece.find('[').unwrap_or(piece.len()));
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        while let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']')?;
            let token = &inner[..end];
            out.push(match token.strip_prefix("id=") {
                Some(id) => Step::Id(id),
                None => Step::Index(token.parse().ok()?),
            });
            rest = &inner[end + 1..];
        }
    }
    Some(out)
}

fn get<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    let mut at = root;
    for step in steps(path)? {
        at = match step {
            Step::Key(k) => at.get(k)?,
            Step::Index(i) => at.get(i)?,
            Step::Id(id) => at
                .as_array()?
                .iter()
                .find(|v| v.get("id").and_then(Value::as_str) == Some(id))?,
        };
    }
    Some(at)
}

fn get_mut<'v>(root: &'v mut Value, path: &str) -> Option<&'v mut Value> {
    let mut at = root;
    for step in steps(path)? {
        at = match step {
            Step::Key(k) => {
                if at.is_null() {
                    *at = Value::Object(Map::new());
                }
                at.as_object_mut()?.entry(k).or_insert(Value::Null)
            }
            Step::Index(i) => at.get_mut(i)?,
            Step::Id(id) => at
                .as_array_mut()?
                .iter_mut()
                .find(|v| v.get("id").and_then(Value::as_str) == Some(id))?,
        };
    }
    Some(at)
}

/// Splits `path` into its parent and last step (`a.b[id=x]` → `a.b`, `[id=x]`).
fn parent(path: &str) -> Option<(&str, &str)> {
    if path.ends_with(']') {
        let open = path.rfind('[')?;
        Some((&path[..open], &path[open..]))
    } else {
        let dot = path.rfind('.')?;
        Some((&path[..dot], &path[dot + 1..]))
    }
}

fn text_of(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => other.to_string(),
    }
}

/// A date typed as `2026-04-01`, `2026/4/1` or `2026.4.1`.
pub fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text
        .trim()
        .split(['-', '/', '.'])
        .map(|p| p.trim().parse::<i32>().ok());
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()
}

/// A date as the form shows it (`2026-04-01`).
pub fn show_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn section_of(path: &str) -> Option<SectionName> {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    SectionName::from_key(&path[..end])
}

/// The case being edited, with the sections not yet saved.
#[derive(Clone, Debug)]
pub struct CaseForm {
    id: CaseId,
    /// Every section as JSON, keyed by section key (`basic`, `stage`, …).
    json: Value,
    kinds: HashMap<String, Kind>,
    /// What a new row of each list on screen is.
    rows: HashMap<String, NewRow>,
    dirty: BTreeSet<SectionName>,
}

/// The shape of a list's new row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NewRow {
    /// An object with a fresh `id` (most lists).
    WithId,
    /// An empty object (rows the model keeps without ids).
    Plain,
    /// An empty string (lists of plain texts).
    Text,
}

impl CaseForm {
    /// A form over `case`.
    pub fn new(case: &Case) -> Self {
        let mut json = Map::new();
        for section in case.sections() {
            json.insert(section.name().key().to_owned(), section.to_json());
        }
        Self {
            id: case.id,
            json: Value::Object(json),
            kinds: HashMap::new(),
            rows: HashMap::new(),
            dirty: BTreeSet::new(),
        }
    }

    /// The case's id.
    pub fn id(&self) -> CaseId {
        self.id
    }

    /// The case as edited so far (saved or not).
    pub fn case(&self) -> Case {
        let mut case = Case {
            id: self.id,
            ..Case::default()
        };
        for name in SectionName::ALL {
            if let Some(section) = self.section(name) {
                case.apply(section);
            }
        }
        case
    }

    fn section(&self, name: SectionName) -> Option<Section> {
        let value = self.json.get(name.key())?.clone();
        Section::from_json(name, value).ok()
    }

    /// Sets the stage (index into [`SupportStage::ALL`]); marks it unsaved.
    pub fn set_stage(&mut self, index: i32) -> Option<SupportStage> {
        let stage = SupportStage::ALL
            .get(usize::try_from(index).ok()?)
            .copied()?;
        self.replace(Section::Stage(stage));
        Some(stage)
    }

    fn replace(&mut self, section: Section) {
        let name = section.name();
        if let Some(map) = self.json.as_object_mut() {
            map.insert(name.key().to_owned(), section.to_json());
        }
        self.dirty.insert(name);
    }

    /// Whether any edit has not been handed out by [`CaseForm::take_unsaved`].
    pub fn has_unsaved(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// The sections edited since the last call, to save.
    pub fn take_unsaved(&mut self) -> Vec<Section> {
        std::mem::take(&mut self.dirty)
            .into_iter()
            .filter_map(|name| self.section(name))
            .collect()
    }

    /// Writes `value` at `path` if the section still reads back into the
    /// model; otherwise leaves the form as it was.
    fn write(&mut self, path: &str, value: Option<Value>) -> Result<SectionName, EditError> {
        let name = section_of(path).ok_or(EditError::NoSuchField)?;
        let mut json = self.json.clone();
        match value {
            Some(value) => *get_mut(&mut json, path).ok_or(EditError::NoSuchField)? = value,
            None => {
                // Removing the key lets the model's default fill in (None, 0).
                let (up, last) = parent(path).ok_or(EditError::NoSuchField)?;
                if let Some(map) = get_mut(&mut json, up).and_then(Value::as_object_mut) {
                    map.remove(last);
                }
            }
        }
        let section_value = json.get(name.key()).cloned().unwrap_or(Value::Null);
        let section = Section::from_json(name, section_value).map_err(|_| EditError::Invalid)?;
        self.json = json;
        self.replace(section);
        Ok(name)
    }

    /// The user typed `text` into the field at `path`.
    pub fn edit(&mut self, path: &str, text: &str) -> Result<SectionName, EditError> {
        let kind = *self.kinds.get(path).ok_or(EditError::NoSuchField)?;
        let trimmed = text.trim();
        let value = match kind {
            Text | Multiline => Some(Value::String(text.to_owned())),
            _ if trimmed.is_empty() => None,
            Int => Some(Value::from(
                trimmed.parse::<i64>().map_err(|_| EditError::Invalid)?,
            )),
            Float => {
                let n = trimmed.parse::<f64>().map_err(|_| EditError::Invalid)?;
                Some(
                    serde_json::Number::from_f64(n)
                        .map(Value::Number)
                        .ok_or(EditError::Invalid)?,
                )
            }
            DateKind => Some(Value::String(show_date(
                parse_date(trimmed).ok_or(EditError::Invalid)?,
            ))),
            Choice(..) | Employer | Check => return Err(EditError::Invalid),
        };
        self.write(path, value)
    }

    /// The user chose option `index` (-1: none) of the choice at `path`.
    pub fn choose(&mut self, path: &str, index: i32) -> Result<SectionName, EditError> {
        let index = usize::try_from(index).ok();
        let value = match self.kinds.get(path).copied() {
            Some(Choice(all)) => index
                .and_then(|i| all().into_iter().nth(i))
                .map(|(key, _)| Value::String(key)),
            Some(Employer) => Some(Value::String(
                index
                    .and_then(|i| employers(&self.json).into_iter().nth(i))
                    .map(|(id, _)| id)
                    .unwrap_or_default(),
            )),
            _ => return Err(EditError::NoSuchField),
        };
        self.write(path, value)
    }

    /// The user ticked or cleared the check at `path`.
    pub fn toggle(&mut self, path: &str, checked: bool) -> Result<SectionName, EditError> {
        if !matches!(self.kinds.get(path), Some(Check)) {
            return Err(EditError::NoSuchField);
        }
        self.write(path, Some(Value::Bool(checked)))
    }

    /// Adds an empty row to the list at `path` (or creates the optional part).
    pub fn add_row(&mut self, path: &str) -> Result<SectionName, EditError> {
        let mut json = self.json.clone();
        let target = get_mut(&mut json, path).ok_or(EditError::NoSuchField)?;
        match target {
            Value::Null => *target = Value::Object(Map::new()),
            Value::Array(items) => {
                let item = match self.rows.get(path).ok_or(EditError::NoSuchField)? {
                    NewRow::Text => Value::String(String::new()),
                    NewRow::Plain => Value::Object(Map::new()),
                    NewRow::WithId => serde_json::json!({ "id": new_item_id() }),
                };
                if path == "consultations" {
                    items.insert(0, item);
                } else {
                    items.push(item);
                }
            }
            _ => return Err(EditError::NoSuchField),
        }
        let name = section_of(path).ok_or(EditError::NoSuchField)?;
        let value = json.get(name.key()).cloned().unwrap_or(Value::Null);
        let section = Section::from_json(name, value).map_err(|_| EditError::Invalid)?;
        self.json = json;
        self.replace(section);
        Ok(name)
    }

    /// Adds `text` to the list of texts at `path` unless it holds it
    /// already. `Ok(None)` when it was there.
    pub fn add_text(&mut self, path: &str, text: &str) -> Result<Option<SectionName>, EditError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(EditError::Invalid);
        }
        let mut json = self.json.clone();
        let Some(Value::Array(items)) = get_mut(&mut json, path) else {
            return Err(EditError::NoSuchField);
        };
        if items.iter().any(|v| v.as_str() == Some(text)) {
            return Ok(None);
        }
        items.push(Value::String(text.to_owned()));
        let name = section_of(path).ok_or(EditError::NoSuchField)?;
        let value = json.get(name.key()).cloned().unwrap_or(Value::Null);
        let section = Section::from_json(name, value).map_err(|_| EditError::Invalid)?;
        self.json = json;
        self.replace(section);
        Ok(Some(name))
    }

    /// Removes the list row (or optional part) at `path`.
    pub fn remove_row(&mut self, path: &str) -> Result<SectionName, EditError> {
        let (up, last) = parent(path).ok_or(EditError::NoSuchField)?;
        let mut json = self.json.clone();
        let list = get_mut(&mut json, up).ok_or(EditError::NoSuchField)?;
        match (list, steps(last).as_deref()) {
            (Value::Array(items), Some([Step::Index(i)])) if *i < items.len() => {
                items.remove(*i);
            }
            (Value::Array(items), Some([Step::Id(id)])) => {
                items.retain(|v| v.get("id").and_then(Value::as_str) != Some(*id));
            }
            (Value::Object(map), _) => {
                map.remove(last);
            }
            _ => return Err(EditError::NoSuchField),
        }
        let name = section_of(path).ok_or(EditError::NoSuchField)?;
        let value = json.get(name.key()).cloned().unwrap_or(Value::Null);
        let section = Section::from_json(name, value).map_err(|_| EditError::Invalid)?;
        self.json = json;
        self.replace(section);
        Ok(name)
    }

    /// Writes `today` into the date at `path` (撤回: the withdrawal date).
    pub fn set_today(&mut self, path: &str, today: Date) -> Result<SectionName, EditError> {
        self.write(path, Some(Value::String(show_date(today))))
    }

    /// 計画を改定: the support plan's next revision, dated `day`
    /// ([`tsunagi_core::model::SupportPlan::revise`]).
    pub fn revise_plan(&mut self, day: Date) -> Result<SectionName, EditError> {
        let mut case_management = self.case().case_management;
        case_management.support_plan.revise(day);
        self.replace(Section::CaseManagement(case_management));
        Ok(SectionName::CaseManagement)
    }

    /// Adds a consultation record at the top of the log.
    pub fn add_consultation(
        &mut self,
        date: Option<Date>,
        kind: i32,
        content: &str,
        next_step: &str,
        author: &str,
    ) -> SectionName {
        let mut case = self.case();
        let mut record = tsunagi_core::model::ConsultationRecord::new();
        record.date = date;
        record.kind = usize::try_from(kind)
            .ok()
            .and_then(|i| ConsultationKind::ALL.get(i).copied())
            .unwrap_or_default();
        *record.content.expose_mut() = content.trim().to_owned();
        *record.next_step.expose_mut() = next_step.trim().to_owned();
        *record.author.expose_mut() = author.to_owned();
        case.consultations.insert(0, record);
        self.replace(Section::Consultations(case.consultations));
        SectionName::Consultations
    }

    /// The blocks of `tab`, ready to show; also learns which fields exist.
    pub fn blocks(&mut self, tab: Tab) -> Vec<BlockView> {
        self.blocks_in(tab, i18n::current())
    }

    /// The blocks of `tab` with their texts in `language`.
    pub fn blocks_in(&mut self, tab: Tab, language: Language) -> Vec<BlockView> {
        let mut out = Vec::new();
        let mut kinds = HashMap::new();
        let mut rows = HashMap::new();
        let json = self.json.clone();
        let mut r = Renderer {
            language,
            json: &json,
            out: &mut out,
            kinds: &mut kinds,
            rows: &mut rows,
        };
        r.render(&parts(tab), "", 0, "");
        self.kinds = kinds;
        self.rows = rows;
        out
    }
}

/// The case's employers as (id, name), in list order.
fn employers(json: &Value) -> Vec<(String, String)> {
    get(json, "job_match.employers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| (text_of(e.get("id")), text_of(e.get("name"))))
        .collect()
}

fn field(
    language: Language,
    path: String,
    label: &str,
    prefix: &str,
    kind: Kind,
    json: &Value,
) -> FieldView {
    let value = get(json, &path);
    let label = tr_in(language, label);
    let (options, choice) = match kind {
        Employer => {
            let all = employers(json);
            let key = value.and_then(Value::as_str);
            let choice = all
                .iter()
                .position(|(id, _)| Some(id.as_str()) == key)
                .and_then(|i| i32::try_from(i).ok())
                .unwrap_or(-1);
            (all.into_iter().map(|(_, name)| name).collect(), choice)
        }
        Choice(all) => {
            let all = all();
            let key = value.and_then(Value::as_str);
            let choice = all
                .iter()
                .position(|(k, _)| Some(k.as_str()) == key)
                .and_then(|i| i32::try_from(i).ok())
                .unwrap_or(-1);
            let names = all.iter().map(|(_, l)| tr_in(language, l).to_owned());
            (names.collect(), choice)
        }
        _ => (Vec::new(), -1),
    };
    FieldView {
        a11y: if prefix.is_empty() {
            label.to_owned()
        } else {
            format!("{prefix}：{label}")
        },
        label: label.to_owned(),
        kind,
        value: text_of(value),
        checked: value.and_then(Value::as_bool).unwrap_or(false),
        options,
        choice,
        path,
        remove_path: String::new(),
    }
}

/// Walks a tab's parts and writes its blocks, texts in `language`.
struct Renderer<'a> {
    language: Language,
    json: &'a Value,
    out: &'a mut Vec<BlockView>,
    kinds: &'a mut HashMap<String, Kind>,
    rows: &'a mut HashMap<String, NewRow>,
}

impl Renderer<'_> {
    fn tr(&self, ja: &str) -> String {
        tr_in(self.language, ja).to_owned()
    }

    fn field(
        &mut self,
        at: &str,
        (key, label, kind): &(&str, &str, Kind),
        prefix: &str,
    ) -> FieldView {
        let path = join(at, key);
        self.kinds.insert(path.clone(), *kind);
        field(self.language, path, label, prefix, *kind, self.json)
    }

    fn items(&self, at: &str) -> Vec<Value> {
        get(self.json, at)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    fn render(&mut self, parts: &[Part], base: &str, level: i32, prefix: &str) {
        for part in parts {
            match part {
                Part::Fields(title, rel, fields) => {
                    let at = join(base, rel);
                    let mut block = BlockView {
                        title: self.tr(title),
                        path: at.clone(),
                        level,
                        ..BlockView::default()
                    };
                    for f in fields {
                        block.fields.push(self.field(&at, f, prefix));
                    }
                    // A list row's own fields join the row's title block.
                    match self.out.last_mut() {
                        Some(last) if title.is_empty() && last.fields.is_empty() => {
                            last.fields = block.fields;
                        }
                        _ => self.out.push(block),
                    }
                }
                Part::Optional(title, rel, add, fields) => {
                    let at = join(base, rel);
                    let present = get(self.json, &at).is_some_and(|v| !v.is_null());
                    let mut block = BlockView {
                        title: self.tr(title),
                        path: at.clone(),
                        level,
                        ..BlockView::default()
                    };
                    if present {
                        block.remove_path.clone_from(&at);
                        for f in fields {
                            block.fields.push(self.field(&at, f, prefix));
                        }
                    } else {
                        block.add_label = self.tr(add);
                        block.add_path.clone_from(&at);
                    }
                    self.out.push(block);
                }
                Part::List {
                    title,
                    path,
                    add,
                    item,
                    ids,
                    newest_first,
                    action,
                    parts,
                } => {
                    let at = join(base, path);
                    let shape = if *ids { NewRow::WithId } else { NewRow::Plain };
                    self.rows.insert(at.clone(), shape);
                    self.out.push(BlockView {
                        title: self.tr(title),
                        path: at.clone(),
                        level,
                        add_label: self.tr(add),
                        add_path: if add.is_empty() {
                            String::new()
                        } else {
                            at.clone()
                        },
                        ..BlockView::default()
                    });
                    let items = self.items(&at);
                    let mut order: Vec<usize> = (0..items.len()).collect();
                    if *newest_first {
                        let date = |i: &usize| text_of(items[*i].get("date"));
                        order.sort_by(|a, b| date(b).cmp(&date(a)).then(a.cmp(b)));
                    }
                    for (n, i) in order.into_iter().enumerate() {
                        let value = &items[i];
                        let item_path = match value.get("id").and_then(Value::as_str) {
                            Some(id) if *ids => format!("{at}[id={id}]"),
                            _ => format!("{at}[{i}]"),
                        };
                        let item_title = format!("{} {}", self.tr(item), n + 1);
                        let mut head = BlockView {
                            title: item_title.clone(),
                            path: item_path.clone(),
                            level: level + 1,
                            remove_path: item_path.clone(),
                            ..BlockView::default()
                        };
                        if let Some((label, field)) = action
                            && get(self.json, &join(&item_path, field)).is_none_or(Value::is_null)
                        {
                            head.action_label = self.tr(label);
                            head.action_path = join(&item_path, field);
                        }
                        self.out.push(head);
                        self.render(parts, &item_path, level + 1, &item_title);
                    }
                }
                Part::TextList(title, rel, add, ids) => {
                    let at = join(base, rel);
                    let shape = if *ids { NewRow::WithId } else { NewRow::Text };
                    self.rows.insert(at.clone(), shape);
                    let title = self.tr(title);
                    let mut block = BlockView {
                        title: title.clone(),
                        path: at.clone(),
                        level,
                        add_label: self.tr(add),
                        add_path: at.clone(),
                        ..BlockView::default()
                    };
                    for (i, value) in self.items(&at).iter().enumerate() {
                        let (item_path, path) = match value.get("id").and_then(Value::as_str) {
                            Some(id) if *ids => {
                                (format!("{at}[id={id}]"), format!("{at}[id={id}].text"))
                            }
                            _ => (format!("{at}[{i}]"), format!("{at}[{i}]")),
                        };
                        let label = format!("{title} {}", i + 1);
                        self.kinds.insert(path.clone(), Text);
                        let json = self.json;
                        let mut f = field(Language::Japanese, path, &label, prefix, Text, json);
                        f.remove_path = item_path;
                        block.fields.push(f);
                    }
                    self.out.push(block);
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "case_form_tests.rs"]
mod tests;
