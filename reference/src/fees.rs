//! The tariff sheet (FEE-01..04): card prices, surcharges, refund fees and the failed
//! direct-debit timeline.
//!
//! Pure functions of the rule set's `[fees]` table and the date; the card-holder accounts
//! ([`crate::terms`]) book what they return. Refusals are values, never errors.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::card::CardKind;
use crate::machine::LoadChannel;
use crate::money::Cents;
use crate::rules::RuleSet;
use crate::terms::calendar;

/// FEE-01: where a card is bought or applied for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SaleChannel {
    /// An OV-chipkaart machine (anonymous cards).
    Machine,
    /// A staffed counter of an operator (service point).
    Counter,
    /// The website (personal cards).
    Online,
    /// The paper application form (personal cards).
    PaperForm,
}

/// FEE-01: what a card costs, by part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CardPrice {
    pub card_cents: Cents,
    /// FEE-01: the paper-form or counter surcharge.
    pub surcharge_cents: Cents,
    pub total_cents: Cents,
}

/// FEE-01: why a card cannot be sold this way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SaleRefusal {
    /// Anonymous cards come from machines and counters; personal cards are applied for online
    /// or on the paper form (seed 002, "Hoe vraagt u een OV-chipkaart aan").
    ChannelNotOffered,
    /// Disposable and bank cards are not sold at the OV-chipkaart tariff.
    NotSold,
}

/// FEE-01: the price of a new card bought through `channel`.
pub fn card_price(
    rules: &RuleSet,
    kind: CardKind,
    channel: SaleChannel,
) -> Result<CardPrice, SaleRefusal> {
    let fees = &rules.fees;
    let surcharge = match (kind, channel) {
        (CardKind::Anonymous, SaleChannel::Machine) => Cents::ZERO,
        (CardKind::Anonymous, SaleChannel::Counter) => fees.counter_sale_surcharge_cents,
        (CardKind::Personal, SaleChannel::Online) => Cents::ZERO,
        (CardKind::Personal, SaleChannel::PaperForm) => fees.paper_application_surcharge_cents,
        (CardKind::Anonymous | CardKind::Personal, _) => {
            return Err(SaleRefusal::ChannelNotOffered);
        }
        (CardKind::Disposable | CardKind::Emv, _) => return Err(SaleRefusal::NotSold),
    };
    Ok(CardPrice {
        card_cents: fees.card_price_cents,
        surcharge_cents: surcharge,
        total_cents: add(fees.card_price_cents, surcharge),
    })
}

/// FEE-03: how a load is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum PaymentMethod {
    Cash,
    /// A debit card (pinpas).
    DebitCard,
    CreditCard,
}

/// FEE-03: what a load costs on top of the amount loaded (the card is credited with exactly
/// the amount, CARD-07).
pub fn load_surcharge(
    rules: &RuleSet,
    channel: LoadChannel,
    payment: PaymentMethod,
    amount: Cents,
) -> Cents {
    let fees = &rules.fees;
    // FEE-03: loading at a machine is free (the rule set's machine fee, €0.00).
    let machine_fee = match channel {
        LoadChannel::Machine | LoadChannel::NsMachine => fees.machine_load_fee_cents,
        LoadChannel::ServicePoint => Cents::ZERO,
    };
    let card_payment = payment != PaymentMethod::Cash;
    let small = if card_payment && amount < fees.small_card_payment_below_cents {
        fees.small_card_payment_surcharge_cents
    } else {
        Cents::ZERO
    };
    let credit = if payment == PaymentMethod::CreditCard {
        fees.credit_card_load_surcharge_cents
    } else {
        Cents::ZERO
    };
    let payment_surcharge = if fees.load_surcharges_stack {
        add(small, credit)
    } else {
        small.max(credit)
    };
    add(machine_fee, payment_surcharge)
}

/// FEE-03: an auto-reload costs nothing extra (the rule set's fee, €0.00).
pub fn auto_reload_fee(rules: &RuleSet) -> Cents {
    rules.fees.auto_reload_fee_cents
}

/// FEE-02 / TERM-03: the admin costs of a balance refund at a service point on `today`.
///
/// None when the card is being terminated (TERM-03) or its usage right already ended (the
/// card is terminated), when it has expired (FEE-02), or when it has less than six weeks of
/// validity left (FEE-02: counted as days from today until the expiry date).
pub fn refund_admin_fee(rules: &RuleSet, expires_on: Date, today: Date, terminated: bool) -> Cents {
    let fees = &rules.fees;
    if terminated || today > expires_on {
        return Cents::ZERO;
    }
    let left_days = calendar::days_between(today, expires_on);
    if left_days < i64::from(fees.free_counter_refund_validity_left_days) {
        return Cents::ZERO;
    }
    fees.refund_admin_fee_cents
}

/// Why a card is replaced, for its price (FEE-02, TERM-08, TERM-10, TERM-11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ReplacementPrice {
    /// FEE-02: replacing an expired card.
    Expired,
    /// TERM-08: after loss, theft or a defect ("may cost").
    LossTheftOrDefect,
    /// TERM-10: after established fraud without the holder's fault: free.
    FraudWithoutFault,
    /// TERM-11: after fraud with the holder's intent, fault or negligence.
    FraudWithFault,
}

/// FEE-02 / TERM-08 / TERM-10 / TERM-11: the price of a replacement card.
pub fn replacement_price(rules: &RuleSet, why: ReplacementPrice) -> Cents {
    match why {
        ReplacementPrice::Expired => rules.fees.replace_expired_card_cents,
        ReplacementPrice::LossTheftOrDefect | ReplacementPrice::FraudWithFault => {
            rules.fees.replacement_card_cents
        }
        ReplacementPrice::FraudWithoutFault => Cents::ZERO,
    }
}

// ---------------------------------------------------------------------------------------------
// FEE-04: failed direct debits.

/// FEE-04: what a failed direct debit was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DebitPurpose {
    /// The bank debit behind an auto-reload (TAP-06).
    AutoReload,
    /// The cost of a (personal) card.
    CardCost,
}

/// FEE-04: where a failed direct debit stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "stage", rename_all = "kebab-case")]
pub enum DebitStage {
    /// The first letter: pay the amount by `pay_by` (that day included), no admin costs.
    FirstLetter { pay_by: Date },
    /// The second letter: admin costs added; pay debt and costs by `pay_by`.
    SecondLetter { pay_by: Date },
    /// Handed to the collection agency: the issuer no longer takes payments or questions.
    Collection { since: Date },
    /// Paid in full.
    Paid { on: Date },
}

/// FEE-04: one failed direct debit and what was paid on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FailedDebit {
    pub purpose: DebitPurpose,
    pub amount_cents: Cents,
    pub failed_on: Date,
    pub paid_cents: Cents,
    /// The day the debt (with any admin costs then due) was paid in full.
    pub settled_on: Option<Date>,
}

impl FailedDebit {
    pub fn new(purpose: DebitPurpose, amount: Cents, failed_on: Date) -> FailedDebit {
        FailedDebit {
            purpose,
            amount_cents: amount,
            failed_on,
            paid_cents: Cents::ZERO,
            settled_on: None,
        }
    }

    /// FEE-04: there is never a second debit attempt.
    pub fn debit_attempts(&self) -> u32 {
        1
    }

    /// The last day of the first letter's term.
    pub fn first_pay_by(&self, rules: &RuleSet) -> Date {
        calendar::add_days(self.failed_on, rules.fees.failed_debit_payment_days)
    }

    /// The last day of the second letter's term.
    pub fn second_pay_by(&self, rules: &RuleSet) -> Date {
        calendar::add_days(
            self.first_pay_by(rules),
            rules.fees.failed_debit_second_payment_days,
        )
    }

    /// FEE-04: the admin costs by purpose (€2.50 auto-reload, €4.50 card cost).
    pub fn admin_costs(&self, rules: &RuleSet) -> Cents {
        match self.purpose {
            DebitPurpose::AutoReload => rules.fees.failed_debit_admin_auto_reload_cents,
            DebitPurpose::CardCost => rules.fees.failed_debit_admin_card_cost_cents,
        }
    }

    /// The admin costs due on `today`: none while the first letter's term runs, none when the
    /// debt was paid within it.
    pub fn admin_costs_due(&self, rules: &RuleSet, today: Date) -> Cents {
        let first = self.first_pay_by(rules);
        let paid_in_time = self.settled_on.is_some_and(|d| d <= first);
        if today > first && !paid_in_time {
            self.admin_costs(rules)
        } else {
            Cents::ZERO
        }
    }

    /// What is still owed on `today` (debt plus admin costs due, less payments).
    pub fn owed(&self, rules: &RuleSet, today: Date) -> Cents {
        let due = add(self.amount_cents, self.admin_costs_due(rules, today));
        due.checked_sub(self.paid_cents)
            .unwrap_or(Cents::ZERO)
            .max(Cents::ZERO)
    }

    pub fn stage(&self, rules: &RuleSet, today: Date) -> DebitStage {
        if let Some(on) = self.settled_on {
            return DebitStage::Paid { on };
        }
        let first = self.first_pay_by(rules);
        let second = self.second_pay_by(rules);
        if today <= first {
            DebitStage::FirstLetter { pay_by: first }
        } else if today <= second {
            DebitStage::SecondLetter { pay_by: second }
        } else {
            DebitStage::Collection {
                since: calendar::add_days(second, 1),
            }
        }
    }

    /// FEE-04: an unpaid failed auto-reload debit blocks the card's balance.
    pub fn blocks_balance(&self) -> bool {
        self.purpose == DebitPurpose::AutoReload && self.settled_on.is_none()
    }

    /// Books a payment (at the counter or by set-off, TERM-14) of at most what is owed;
    /// returns the part taken.
    pub fn pay(&mut self, rules: &RuleSet, today: Date, offered: Cents) -> Cents {
        let owed = self.owed(rules, today);
        let taken = offered.min(owed).max(Cents::ZERO);
        self.paid_cents = add(self.paid_cents, taken);
        if self.settled_on.is_none() && self.owed(rules, today) == Cents::ZERO {
            self.settled_on = Some(today);
        }
        taken
    }
}

fn add(a: Cents, b: Cents) -> Cents {
    a.checked_add(b).expect("fee amounts are small")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::nl_2024;
    use jiff::civil::date;

    #[test]
    fn card_prices_by_channel() {
        let rules = nl_2024();
        let price = |kind, channel| card_price(&rules, kind, channel);
        assert_eq!(
            price(CardKind::Personal, SaleChannel::PaperForm).map(|p| p.total_cents),
            Ok(Cents::new(1050))
        );
        assert_eq!(
            price(CardKind::Anonymous, SaleChannel::Machine).map(|p| p.total_cents),
            Ok(Cents::new(750))
        );
        assert_eq!(
            price(CardKind::Anonymous, SaleChannel::PaperForm),
            Err(SaleRefusal::ChannelNotOffered)
        );
        assert_eq!(
            price(CardKind::Disposable, SaleChannel::Machine),
            Err(SaleRefusal::NotSold)
        );
    }

    #[test]
    fn load_surcharges() {
        let rules = nl_2024();
        let s = |payment, cents| {
            load_surcharge(&rules, LoadChannel::Machine, payment, Cents::new(cents)).get()
        };
        assert_eq!(s(PaymentMethod::Cash, 500), 0);
        assert_eq!(s(PaymentMethod::DebitCard, 999), 50);
        assert_eq!(s(PaymentMethod::DebitCard, 1000), 0);
        assert_eq!(s(PaymentMethod::CreditCard, 2000), 50);
        // Not stacked: a small credit-card load pays one surcharge.
        assert_eq!(s(PaymentMethod::CreditCard, 500), 50);
    }

    #[test]
    fn refund_fee_six_weeks() {
        let rules = nl_2024();
        let expires = date(2029, 6, 11);
        let fee = |today| refund_admin_fee(&rules, expires, today, false).get();
        assert_eq!(fee(date(2029, 4, 30)), 100, "42 days left");
        assert_eq!(fee(date(2029, 5, 1)), 0, "41 days left");
        assert_eq!(fee(date(2029, 6, 12)), 0, "expired");
        assert_eq!(
            refund_admin_fee(&rules, expires, date(2024, 6, 12), true).get(),
            0,
            "termination"
        );
    }

    #[test]
    fn failed_debit_timeline() {
        let rules = nl_2024();
        let debit = FailedDebit::new(DebitPurpose::AutoReload, Cents::new(2000), date(2024, 6, 1));
        assert_eq!(
            debit.stage(&rules, date(2024, 6, 15)),
            DebitStage::FirstLetter {
                pay_by: date(2024, 6, 15)
            }
        );
        assert_eq!(debit.owed(&rules, date(2024, 6, 15)).get(), 2000);
        assert_eq!(debit.owed(&rules, date(2024, 6, 16)).get(), 2250);
        assert_eq!(
            debit.stage(&rules, date(2024, 6, 29)),
            DebitStage::SecondLetter {
                pay_by: date(2024, 6, 29)
            }
        );
        assert_eq!(
            debit.stage(&rules, date(2024, 6, 30)),
            DebitStage::Collection {
                since: date(2024, 6, 30)
            }
        );
        let mut paid = debit.clone();
        assert_eq!(
            paid.pay(&rules, date(2024, 6, 15), Cents::new(5000)).get(),
            2000
        );
        assert!(!paid.blocks_balance());
        assert_eq!(paid.owed(&rules, date(2024, 7, 30)), Cents::ZERO);
    }
}
