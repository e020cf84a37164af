//! The payout commands through the real binary, and the Excel review round trip:
//! export, decide, import (all or nothing), with edits in protected columns,
//! rejections without a reason, added rows and refunds changed since the export
//! refused; the worklist, ledger, texts, outbox and `refunds run` with an unreadable key.

use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader};
use campdesk::domain::{CampId, Money, RefundId, RefundState, RefundVia, SourceRef, StaffUserId, TransactionId};
use campdesk::records::payments::{CampAssignment, PaymentBill, upsert_payments};
use campdesk::refund::{Proposal, RefundKind, queue, review_xlsx};
use campdesk::store::{OpenedBy, Store};
use jiff::Timestamp;

const CONFIG: &str = r#"
[wxpay]
mch_id = "1900000001"
base_url = "http://127.0.0.1:9"
serial_no = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
private_key = { file = "secrets/missing_key.pem" }
platform_public_key = { file = "secrets/missing_pub.pem" }
platform_public_key_id = "PUB_KEY_ID_0000000000000000000000000000000000"
api_v3_key = { env = "CAMPDESK_TEST_UNSET_V3_KEY" }

[[camps]]
id = "c1"
name = "测试营"
start = "2025-10-25"
end = "2025-11-03"
required = 7
deposit = "39.00"
payee = "zhangsan"
refund_via = "wecom-client"

[[camps]]
id = "c2"
name = "直退营"
start = "2025-10-25"
end = "2025-11-03"
required = 7
deposit = "39.00"
payee = "lisi"
refund_via = "wxpay"
"#;

fn bill(txn: &str, minutes: i64) -> PaymentBill {
    let paid_at: Timestamp = "2025-10-20T02:00:00Z".parse().unwrap();
    PaymentBill {
        transaction_id: TransactionId::new(txn),
        out_trade_no: None,
        payer_external_userid: None,
        payer_name: Some(format!("会员{txn}")),
        remark: Some(String::new()),
        description: None,
        amount: Money::from_fen(3900),
        paid_at: paid_at.checked_add(jiff::SignedDuration::from_mins(minutes)).unwrap(),
        payee_userid: Some(StaffUserId::new("zhangsan")),
        mch_id: None,
        payment_type: Some(1),
        refunded_total: None,
        refunds: None,
        source: SourceRef { raw_id: "test".into(), position: None },
    }
}

fn proposal(camp: &str, b: &PaymentBill, explicit_only: bool, via: RefundVia) -> Proposal {
    Proposal {
        camp: CampId::new(camp),
        transaction_id: b.transaction_id.clone(),
        kind: RefundKind::Deposit,
        amount: b.amount,
        paid_total: b.amount,
        executor: via,
        planet_user_id: None,
        payer_external_userid: None,
        payer_name: b.payer_name.clone(),
        paid_at: b.paid_at,
        basis: "打卡 8/10 天".into(),
        explicit_only,
    }
}

/// A data dir with camp c1: payments t1..t4 (t3 must be decided on its own), all proposed.
fn setup(dir: &Path) -> Vec<RefundId> {
    std::fs::write(dir.join("camps.toml"), CONFIG).unwrap();
    let config = campdesk::config::load_file(&dir.join("camps.toml")).unwrap();
    let store = Store::open(&dir.join("data"), OpenedBy::Test).unwrap();
    let bills: Vec<PaymentBill> = (1..=4).map(|i| bill(&format!("t{i}"), i)).collect();
    let proposals: Vec<Proposal> =
        bills.iter().map(|b| proposal("c1", b, b.transaction_id.as_str() == "t3", RefundVia::WecomClient)).collect();
    store
        .write_with(|tx| {
            upsert_payments(tx, &config, &bills, &CampAssignment::Import(CampId::new("c1")))?;
            queue::sync_proposals(tx, &CampId::new("c1"), &proposals, Timestamp::now())?;
            Ok::<_, anyhow::Error>(())
        })
        .unwrap();
    proposals.iter().map(|p| campdesk::refund::refund_id(&p.camp, &p.transaction_id, p.kind)).collect()
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_campdesk"))
        .args(args)
        .arg("--data")
        .arg(dir.join("data"))
        .arg("--config")
        .arg(dir.join("camps.toml"))
        .env("USER", "tester")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Re-saves a workbook as a person would after editing: every sheet and cell kept,
/// `edit(sheet, row, col)` may replace a cell's text.
fn resave(bytes: &[u8], edit: impl Fn(&str, u32, u16) -> Option<String>, extra_row: Option<Vec<String>>) -> Vec<u8> {
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let ws = wb.add_worksheet();
        ws.set_name(&name).unwrap();
        let mut last = 0;
        for (r, row) in range.rows().enumerate() {
            last = r as u32;
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                if let Some(text) = edit(&name, r, c) {
                    ws.write_string(r, c, text).unwrap();
                    continue;
                }
                match cell {
                    Data::Float(f) => ws.write_number(r, c, *f).map(|_| ()).unwrap(),
                    Data::Int(i) => ws.write_number(r, c, *i as f64).map(|_| ()).unwrap(),
                    Data::Empty => {}
                    other => ws.write_string(r, c, other.to_string()).map(|_| ()).unwrap(),
                }
            }
        }
        if name == review_xlsx::SHEET
            && let Some(cells) = &extra_row
        {
            for (c, v) in cells.iter().enumerate() {
                ws.write_string(last + 1, c as u16, v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn row_of(bytes: &[u8], refund: &RefundId) -> u32 {
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range(review_xlsx::SHEET).unwrap();
    range.rows().position(|r| r[0] == refund.as_str()).unwrap() as u32
}

#[test]
fn the_review_workbook_round_trips_and_refuses_edits_in_the_wrong_columns() {
    let dir = tempfile::tempdir().unwrap();
    let ids = setup(dir.path());
    let file = dir.path().join("review.xlsx");
    let (code, out, err) = run(dir.path(), &["review", "export", "--camp", "c1", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote 4 refund(s)"), "{out}");
    let bytes = std::fs::read(&file).unwrap();

    // People see Chinese headers, the yuan amount as a number, the refund id first.
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
    let range = book.worksheet_range(review_xlsx::SHEET).unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header, review_xlsx::HEADERS);
    let first = range.rows().nth(1).unwrap();
    assert!(ids.iter().any(|id| first[0] == id.as_str()));
    assert_eq!(first[3], Data::Float(39.0));
    assert!(first.get(10).is_none_or(|c| c.to_string().is_empty()), "the decision column starts empty");

    let decide = |text: &'static str, note: &'static str, id: RefundId| {
        let row = row_of(&bytes, &id);
        move |sheet: &str, r: u32, c: u16| match (sheet == review_xlsx::SHEET && r == row, c) {
            (true, 10) => Some(text.to_string()),
            (true, 11) if !note.is_empty() => Some(note.to_string()),
            _ => None,
        }
    };
    let store_state = |id: &RefundId| {
        let store = Store::open(&dir.path().join("data"), OpenedBy::Test).unwrap();
        store.read().unwrap().get(&campdesk::refund::REFUNDS, id.as_str()).unwrap().unwrap().state
    };

    // A protected column edited (the amount): the whole file is refused.
    let amount_row = row_of(&bytes, &ids[0]);
    let d = decide("同意", "", ids[1].clone());
    let tampered = resave(
        &bytes,
        |s, r, c| if s == review_xlsx::SHEET && r == amount_row && c == 3 { Some("3.90".into()) } else { d(s, r, c) },
        None,
    );
    let t = dir.path().join("tampered.xlsx");
    std::fs::write(&t, &tampered).unwrap();
    let (code, _, err) = run(dir.path(), &["review", "import", t.to_str().unwrap(), "--by", "owner"]);
    assert_eq!(code, 1);
    assert!(err.contains(&format!("row {}: a protected column", amount_row + 1)), "{err}");
    assert!(err.contains("nothing was applied"), "{err}");
    assert_eq!(store_state(&ids[1]), RefundState::Proposed, "all or nothing");

    // A rejection without a reason, and a row someone added: refused.
    let no_reason = resave(&bytes, decide("拒绝", "", ids[0].clone()), None);
    std::fs::write(&t, &no_reason).unwrap();
    let (code, _, err) = run(dir.path(), &["review", "import", t.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("a rejection needs a reason"), "{err}");
    let added = resave(&bytes, |_, _, _| None, Some(vec!["c1:t9:deposit".into(), "新人".into()]));
    std::fs::write(&t, &added).unwrap();
    let (code, _, err) = run(dir.path(), &["review", "import", t.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("a protected column"), "{err}");

    // The real decisions: approve t1, reject t2 with a reason, approve t3 (explicit), leave t4.
    let rows: Vec<(u32, &str, &str)> = vec![
        (row_of(&bytes, &ids[0]), "同意", ""),
        (row_of(&bytes, &ids[1]), "拒绝", "只打卡 5 天"),
        (row_of(&bytes, &ids[2]), "approve", "请假已核实"),
    ];
    let filled = resave(
        &bytes,
        |s, r, c| {
            let hit = rows.iter().find(|(row, _, _)| s == review_xlsx::SHEET && *row == r)?;
            match c {
                10 => Some(hit.1.to_string()),
                11 if !hit.2.is_empty() => Some(hit.2.to_string()),
                _ => None,
            }
        },
        None,
    );
    let f = dir.path().join("filled.xlsx");
    std::fs::write(&f, &filled).unwrap();
    let (code, out, err) = run(dir.path(), &["review", "import", f.to_str().unwrap(), "--by", "owner", "--json"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["approved"], serde_json::json!([ids[0], ids[2]]));
    assert_eq!(report["rejected"], serde_json::json!([ids[1]]));
    assert_eq!(report["undecided"], 1);
    assert_eq!(store_state(&ids[0]), RefundState::Approved);
    assert_eq!(store_state(&ids[1]), RefundState::Rejected);
    assert_eq!(store_state(&ids[3]), RefundState::Proposed);

    // Importing the same file again: the refunds changed since the export.
    let (code, _, err) = run(dir.path(), &["review", "import", f.to_str().unwrap(), "--by", "owner"]);
    assert_eq!(code, 1);
    assert!(err.contains("changed since the export"), "{err}");

    let store = Store::open(&dir.path().join("data"), OpenedBy::Test).unwrap();
    let audit = store.read().unwrap().audit_entries(1, None).unwrap();
    let import = audit.iter().find(|e| e.action == "review.import").unwrap();
    assert_eq!(import.actor, "owner");
    assert!(store.verify_audit().unwrap().broken.is_none());
}

#[test]
fn worklist_ledger_texts_and_a_run_with_an_unreadable_key_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let ids = setup(dir.path());
    let (code, _, err) = run(dir.path(), &["refunds", "approve", ids[0].as_str(), ids[1].as_str(), "--by", "owner"]);
    assert_eq!(code, 0, "{err}");

    let (code, out, _) = run(dir.path(), &["refunds", "worklist", "--peek", "--json"]);
    assert_eq!(code, 0);
    let peek: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(peek["items"].as_array().unwrap().iter().all(|i| i["state"] == "approved"));
    let (code, out, _) = run(dir.path(), &["refunds", "worklist", "--camp", "c1"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[1].contains("t2") && lines[2].contains("t1"), "newest payment first:\n{out}");
    assert!(out.contains("2 refund(s) to do in the WeCom client, total ¥78.00"), "{out}");
    let (_, out, _) = run(dir.path(), &["refunds", "list", "--state", "submitted", "--json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap().as_array().unwrap().len(), 2);

    let (code, out, _) = run(dir.path(), &["refunds", "ledger", "--camp", "c1", "--json"]);
    assert_eq!(code, 0);
    let ledger: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(ledger[0]["collected"], 15600);
    assert_eq!(ledger[0]["pending"], 15600);
    assert_eq!(ledger[0]["balanced"], true);
    let (code, out, _) = run(dir.path(), &["refunds", "ledger"]);
    assert_eq!(code, 0);
    assert!(out.contains("collected  ¥156.00") && out.contains("balanced"), "{out}");

    let (code, out, _) = run(dir.path(), &["refunds", "texts", "--camp", "c1", "--json"]);
    assert_eq!(code, 0);
    let texts: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(texts["summary"].as_str().unwrap().contains("测试营"));
    assert_eq!(texts["members"].as_array().unwrap().len(), 0, "nothing has come back yet");

    // c2 pays through WeChat Pay, but the merchant key cannot be read: the run says so, exit 2.
    {
        let config = campdesk::config::load_file(&dir.path().join("camps.toml")).unwrap();
        let store = Store::open(&dir.path().join("data"), OpenedBy::Test).unwrap();
        let b = bill("w1", 1);
        let p = proposal("c2", &b, false, RefundVia::Wxpay);
        let policy = |c: &CampId| config.camp(c.as_str()).map(queue::CampPolicy::of);
        store
            .write_with(|tx| {
                upsert_payments(tx, &config, std::slice::from_ref(&b), &CampAssignment::Import(CampId::new("c2")))?;
                queue::sync_proposals(tx, &CampId::new("c2"), std::slice::from_ref(&p), Timestamp::now())?;
                let id = campdesk::refund::refund_id(&p.camp, &p.transaction_id, p.kind);
                queue::approve(tx, &[id], "owner", None, &policy, false, Timestamp::now())?;
                Ok::<_, anyhow::Error>(())
            })
            .unwrap();
    }
    let (code, out, _) = run(dir.path(), &["refunds", "run"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("wxpay.private_key: cannot read"), "{out}");
    let (_, out, _) = run(dir.path(), &["refunds", "list", "--camp", "c2", "--state", "approved", "--json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap().as_array().unwrap().len(), 1, "not touched");

    let (code, out, _) = run(dir.path(), &["refunds", "retry", ids[0].as_str()]);
    assert_eq!(code, 1, "only a failed refund can be retried: {out}");
    let (code, out, _) = run(dir.path(), &["refunds", "findings"]);
    assert_eq!(code, 0);
    assert!(out.contains("no findings"));
    let (code, _, _) = run(dir.path(), &["refunds", "outbox", "--json"]);
    assert_eq!(code, 0);
}
