//! Payments files: the WeCom 对外收款 export style and our canonical columns.

use std::collections::HashMap;

use jiff::tz::TimeZone;

use super::cells::{self, DateOnly};
use super::columns::{ColumnMap, FieldSpec};
use super::row::{Row, RowError};
use super::sheet::SheetRow;
use crate::config::Camp;
use crate::domain::{ExternalUserId, SourceRef, StaffUserId, TransactionId};
use crate::records::attribution::payment_day;
use crate::records::payments::{Bill, PaymentBill, RefundBill};

const TXN: usize = 0;
const OUT_TRADE_NO: usize = 1;
const KIND: usize = 2;
const OUT_REFUND_NO: usize = 3;
const PAYER_NAME: usize = 4;
const PAYER_ID: usize = 5;
const REMARK: usize = 6;
const DESCRIPTION: usize = 7;
const AMOUNT: usize = 8;
const PAID_AT: usize = 9;
const PAYEE: usize = 10;
const MCH_ID: usize = 11;
const REFUNDED: usize = 12;

/// The columns of a payments file.
pub const SPECS: &[FieldSpec] = &[
    FieldSpec {
        canonical: "transaction_id",
        names: &[
            "transaction_id",
            "交易单号",
            "微信支付单号",
            "微信支付交易单号",
            "微信交易单号",
            "支付单号",
            "交易号",
        ],
        required: true,
    },
    FieldSpec {
        canonical: "out_trade_no", names: &["out_trade_no", "商户单号", "商户订单号"], required: false
    },
    FieldSpec {
        canonical: "bill_type",
        names: &["bill_type", "类型", "交易类型", "账单类型", "收支类型"],
        required: false,
    },
    FieldSpec {
        canonical: "out_refund_no", names: &["out_refund_no", "退款单号", "商户退款单号"], required: false
    },
    FieldSpec {
        canonical: "payer_name",
        names: &["payer_name", "付款人", "付款人昵称", "付款人姓名", "付款人名称", "客户名称", "客户昵称"],
        required: false,
    },
    FieldSpec {
        canonical: "external_userid",
        names: &["external_userid", "payer_external_userid", "付款人ID", "付款人userid", "外部联系人ID", "客户ID"],
        required: false,
    },
    FieldSpec {
        canonical: "remark", names: &["remark", "备注", "付款备注", "付款人备注", "留言"], required: false
    },
    FieldSpec {
        canonical: "description",
        names: &["description", "商品", "商品名称", "商品描述", "收款项目", "收款说明", "收款事由", "描述"],
        required: false,
    },
    FieldSpec {
        canonical: "amount",
        names: &["amount", "金额", "收款金额", "支付金额", "付款金额", "实收金额", "交易金额", "订单金额"],
        required: true,
    },
    FieldSpec {
        canonical: "paid_at",
        names: &["paid_at", "pay_time", "支付时间", "付款时间", "交易时间", "收款时间", "时间"],
        required: true,
    },
    FieldSpec {
        canonical: "payee_userid",
        names: &["payee_userid", "payee", "收款人", "收款成员", "收款人账号", "收款成员账号", "收款人userid"],
        required: false,
    },
    FieldSpec { canonical: "mch_id", names: &["mch_id", "商户号"], required: false },
    FieldSpec {
        canonical: "refunded_total",
        names: &["refunded_total", "total_refund_fee", "已退款金额", "退款金额", "累计退款金额"],
        required: false,
    },
];

enum RowKind {
    Payment,
    Refund,
}

fn kind(cell: &super::sheet::Cell) -> Result<Option<RowKind>, String> {
    let Some(t) = cells::text(cell)? else { return Ok(None) };
    match t.to_lowercase().as_str() {
        "0" | "payment" | "收款" | "付款" | "支付" | "支付成功" | "已支付" | "收入" => {
            Ok(Some(RowKind::Payment))
        }
        "1" | "refund" | "退款" | "退款成功" | "已退款" | "支出" => Ok(Some(RowKind::Refund)),
        _ => Err(format!("\"{t}\" is neither a payment (收款) nor a refund (退款)")),
    }
}

/// Reads every data row below the header into bills (sources point at the row;
/// the raw id is filled in when the file is archived).
///
/// A payment must fit `camp` by the hard facts: its payee (when both the file and
/// the camp name one) and its enrolment window. A wrong amount is accepted (the
/// mismatch shows in review); a keyword is not required (the importer vouches).
pub fn read(
    file: &str,
    map: &ColumnMap,
    rows: &[SheetRow],
    tz: &TimeZone,
    camp: &Camp,
) -> Result<Vec<Bill>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut bills = Vec::new();
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    for sheet_row in rows.iter().filter(|r| r.number > map.header_row && !r.cells.iter().all(|c| c.is_blank())) {
        let mut row = Row { file, row: sheet_row, map, specs: SPECS, errors: &mut errors };
        let before = row.errors.len();
        let txn = row.required(TXN, cells::id);
        let row_kind = row.get(KIND, kind).unwrap_or(RowKind::Payment);
        let amount = row.money(AMOUNT, true);
        if let Some(a) = amount
            && !a.is_positive()
        {
            row.error(AMOUNT, format!("\"{}\" is not a positive amount", row.shown(AMOUNT)));
        }
        let source = SourceRef { raw_id: String::new(), position: Some(sheet_row.number) };
        let out_trade_no = row.get(OUT_TRADE_NO, cells::id);
        match row_kind {
            RowKind::Payment => {
                let paid_at = row.required(PAID_AT, |c| cells::instant(c, tz, DateOnly::Noon));
                let refunded = row.money(REFUNDED, false);
                if let Some(r) = refunded
                    && r.fen() < 0
                {
                    row.error(REFUNDED, "is negative");
                }
                let payer = row.get(PAYER_ID, cells::id);
                let payer_name = row.get(PAYER_NAME, cells::text);
                let remark = row.text_if_column(REMARK);
                let description = row.get(DESCRIPTION, cells::text);
                let payee = row.get(PAYEE, cells::id);
                let mch_id = row.get(MCH_ID, cells::id);
                if let (Some(p), Some(camp_payee)) = (&payee, &camp.payee)
                    && p != camp_payee.as_str()
                {
                    row.error(
                        PAYEE,
                        format!("payee {p} does not collect for camp {} (its payee is {camp_payee})", camp.id),
                    );
                }
                if let Some(at) = paid_at {
                    let day = payment_day(at, tz);
                    if day < camp.enroll_from() || day > camp.end {
                        row.error(
                            PAID_AT,
                            format!(
                                "paid {day}, outside camp {}'s enrolment window {}..={}; this payment is not the camp's",
                                camp.id,
                                camp.enroll_from(),
                                camp.end
                            ),
                        );
                    }
                }
                if let (Some(t), true) = (&txn, row.errors.len() == before) {
                    if let Some(first) = seen.insert(("payment".into(), t.clone()), sheet_row.number) {
                        row.error(TXN, format!("transaction {t} is also on row {first}"));
                        continue;
                    }
                    bills.push(Bill::Payment(PaymentBill {
                        transaction_id: TransactionId::new(t.clone()),
                        out_trade_no,
                        payer_external_userid: payer.map(ExternalUserId::new),
                        payer_name,
                        remark,
                        description,
                        amount: amount.unwrap_or_default(),
                        paid_at: paid_at.unwrap_or_default(),
                        payee_userid: payee.map(StaffUserId::new),
                        mch_id,
                        payment_type: None,
                        refunded_total: refunded,
                        refunds: None,
                        source,
                    }));
                }
            }
            RowKind::Refund => {
                let refund_no = row.required(OUT_REFUND_NO, cells::id);
                let at = row.get(PAID_AT, |c| cells::instant(c, tz, DateOnly::Noon));
                let refunder = row.get(PAYEE, cells::id);
                let comment = row.get(REMARK, cells::text);
                if let (Some(t), Some(no), true) = (&txn, &refund_no, row.errors.len() == before) {
                    if let Some(first) = seen.insert(("refund".into(), no.clone()), sheet_row.number) {
                        row.error(OUT_REFUND_NO, format!("refund {no} is also on row {first}"));
                        continue;
                    }
                    bills.push(Bill::Refund(RefundBill {
                        transaction_id: TransactionId::new(t.clone()),
                        out_trade_no,
                        out_refund_no: no.clone(),
                        refund_userid: refunder.map(StaffUserId::new),
                        comment,
                        refunded_at: at,
                        amount: amount.unwrap_or_default(),
                        source,
                    }));
                }
            }
        }
    }
    if errors.is_empty() { Ok(bills) } else { Err(errors) }
}
