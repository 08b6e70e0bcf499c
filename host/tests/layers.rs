//! The library's layering, read from its own source: no file of host/src imports another that
//! (through any chain) imports it back, and the layers keep their direction: the shared layer
//! (`hal`) and the backends (`model`, `sim`, `xrt`) never reach up into the Device API, the
//! compiler, the runtime or the applications above them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (e.g. ["model", "engine"]) of every source file, relative to host/src.
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "bin") {
                    stack.push(p);
                }
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p.strip_prefix(src).unwrap();
            let mut m: Vec<String> =
                rel.iter().map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string()).collect();
            if m.last().is_some_and(|l| l == "mod" || l == "lib") {
                m.pop();
            }
            out.insert(m, p);
        }
    }
    out
}

/// The source without comments and string literals (so that prose naming a path is no import).
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn ident_at(s: &[u8], mut i: usize) -> (String, usize) {
    let start = i;
    while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_') {
        i += 1;
    }
    (String::from_utf8_lossy(&s[start..i]).into_owned(), i)
}

/// Every path a file names from `crate::`, `super::` or `self::` (brace groups expanded one level
/// deep per segment), as absolute module paths.
fn referenced_paths(code: &str, me: &[String], is_mod_file: bool, roots: &BTreeSet<Vec<String>>) -> Vec<Vec<String>> {
    let s = code.as_bytes();
    let mut out = Vec::new();
    let here: Vec<String> = if is_mod_file { me.to_vec() } else { me[..me.len().saturating_sub(1)].to_vec() };
    let mut i = 0;
    while i < s.len() {
        let boundary = i == 0 || !(s[i - 1].is_ascii_alphanumeric() || s[i - 1] == b'_' || s[i - 1] == b':');
        let (word, end) = ident_at(s, i);
        if word.is_empty() {
            i += 1;
            continue;
        }
        // A bare `name::` is a child module of this one, or a top-level module the file imported.
        let child = [here.clone(), vec![word.clone()]].concat();
        let bare = if roots.contains(&child) {
            Some(child)
        } else if roots.contains(&vec![word.clone()]) {
            Some(vec![word.clone()])
        } else {
            None
        };
        let known = matches!(word.as_str(), "crate" | "super" | "self") || bare.is_some();
        if boundary && s[end..].starts_with(b"::") && known {
            let mut base: Vec<String> = match word.as_str() {
                "crate" => Vec::new(),
                "self" => here.clone(),
                "super" => here[..here.len().saturating_sub(1)].to_vec(),
                _ => {
                    let mut b = bare.unwrap_or_default();
                    b.pop();
                    b
                }
            };
            if !matches!(word.as_str(), "crate" | "super" | "self") {
                base.push(word.clone());
            }
            let mut j = end;
            while s[j..].starts_with(b"::") {
                j += 2;
                if s[j..].starts_with(b"super") && word == "super" {
                    base.pop();
                    j += 5;
                    continue;
                }
                if s.get(j) == Some(&b'{') {
                    // One brace group: each item's leading segment extends the path.
                    let close = (j..s.len()).find(|&k| s[k] == b'}').unwrap_or(s.len());
                    for item in String::from_utf8_lossy(&s[j + 1..close]).split(',') {
                        let seg = item.trim().split("::").next().unwrap_or("").trim().to_string();
                        if !seg.is_empty() && seg != "self" && seg.chars().all(|c| c.is_alphanumeric() || c == '_') {
                            let mut p = base.clone();
                            p.push(seg);
                            out.push(p);
                        }
                    }
                    j = close;
                    break;
                }
                let (seg, e) = ident_at(s, j);
                if seg.is_empty() {
                    break;
                }
                base.push(seg);
                j = e;
            }
            out.push(base);
            i = j.max(end);
        } else {
            i = end;
        }
    }
    out
}

/// The file a path lands in: its longest prefix that is a module with a file.
fn resolve(mods: &BTreeMap<Vec<String>, PathBuf>, path: &[String]) -> Option<Vec<String>> {
    (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| mods.contains_key(p))
}

type Graph = BTreeMap<Vec<String>, BTreeSet<Vec<String>>>;

fn graph() -> (BTreeMap<Vec<String>, PathBuf>, Graph) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mods = modules(&src);
    let mut g = Graph::new();
    let roots: BTreeSet<Vec<String>> = mods.keys().cloned().collect();
    for (m, file) in &mods {
        let text = code_only(&std::fs::read_to_string(file).unwrap());
        let is_mod = file.file_name().is_some_and(|n| n == "mod.rs" || n == "lib.rs");
        let mut edges = BTreeSet::new();
        for p in referenced_paths(&text, m, is_mod, &roots) {
            if let Some(t) = resolve(&mods, &p) {
                // The crate root and a folder's own mod.rs only declare; everything is below them.
                if &t != m && !t.is_empty() {
                    edges.insert(t);
                }
            }
        }
        g.insert(m.clone(), edges);
    }
    (mods, g)
}

fn name(m: &[String]) -> String {
    if m.is_empty() {
        "lib.rs".into()
    } else {
        m.join("::")
    }
}

#[test]
fn host_src_has_no_import_cycle() {
    let (_, g) = graph();
    // Tarjan's strongly connected components.
    struct St<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        on: BTreeSet<&'a Vec<String>>,
        sccs: Vec<Vec<String>>,
    }
    fn visit<'a>(st: &mut St<'a>, v: &'a Vec<String>) {
        let n = st.index.len();
        st.index.insert(v, n);
        st.low.insert(v, n);
        st.stack.push(v);
        st.on.insert(v);
        for w in &st.g[v] {
            let Some(w) = st.g.get_key_value(w).map(|(k, _)| k) else { continue };
            if !st.index.contains_key(w) {
                visit(st, w);
                let lw = st.low[w];
                let lv = st.low[v];
                st.low.insert(v, lv.min(lw));
            } else if st.on.contains(w) {
                let iw = st.index[w];
                let lv = st.low[v];
                st.low.insert(v, lv.min(iw));
            }
        }
        if st.low[v] == st.index[v] {
            let mut c = Vec::new();
            while let Some(w) = st.stack.pop() {
                st.on.remove(w);
                c.push(name(w));
                if w == v {
                    break;
                }
            }
            if c.len() > 1 {
                st.sccs.push(c);
            }
        }
    }
    let mut st = St {
        g: &g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        sccs: vec![],
    };
    for v in g.keys() {
        if !st.index.contains_key(v) {
            visit(&mut st, v);
        }
    }
    assert!(st.sccs.is_empty(), "import cycles in host/src (files that import each other): {:?}", st.sccs);
}

#[test]
fn layers_point_down() {
    let (_, g) = graph();
    // (layer, modules it must never import)
    let above = ["device", "builder", "runtime", "bench", "sweep", "nn"];
    let rules: &[(&str, &[&str])] = &[
        (
            "isa",
            &[
                "hal", "progfile", "device", "validate", "model", "sim", "xrt", "builder", "runtime", "bench", "sweep",
                "nn",
            ],
        ),
        (
            "hal",
            &["progfile", "device", "validate", "model", "sim", "xrt", "builder", "runtime", "bench", "sweep", "nn"],
        ),
        ("progfile", &["device", "validate", "model", "sim", "xrt", "builder", "runtime", "bench", "sweep", "nn"]),
        ("validate", &above),
        ("model", &above),
        ("sim", &above),
        ("xrt", &above),
        ("builder", &["device", "runtime", "bench", "sweep", "model", "sim", "xrt"]),
        ("runtime", &["bench", "sweep"]),
    ];
    let mut bad = Vec::new();
    for (m, edges) in &g {
        let Some(top) = m.first() else { continue };
        for (layer, never) in rules {
            if top != layer {
                continue;
            }
            for t in edges {
                if t.first().is_some_and(|f| never.contains(&f.as_str())) {
                    bad.push(format!("{} imports {}", name(m), name(t)));
                }
            }
        }
    }
    assert!(bad.is_empty(), "imports against the layering:\n{}", bad.join("\n"));
}

#[test]
fn the_reader_sees_imports() {
    // The checks above are only as good as the parser: it must see the imports this crate has.
    let (_, g) = graph();
    let has = |a: &[&str], b: &[&str]| {
        let a: Vec<String> = a.iter().map(|s| s.to_string()).collect();
        let b: Vec<String> = b.iter().map(|s| s.to_string()).collect();
        g.get(&a).is_some_and(|e| e.contains(&b))
    };
    assert!(has(&["device"], &["hal"]), "device -> hal (grouped `use crate::hal::{{..}}`)");
    assert!(has(&["validate"], &["isa", "check"]), "validate -> isa::check (a path in code)");
    assert!(has(&["model"], &["hal"]), "model -> hal");
}
