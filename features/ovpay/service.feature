@role:service-provider @role:backoffice
Feature: The service finds journeys only by payment reference and amount, and corrects missed check-outs (EMV-15, EMV-18)
  The OVpay website, app and customer service know no card numbers: a traveller names a payment
  by the reference and the amount on the bank statement and sees that payment's journeys. A wrong
  amount, a card number or an IBAN finds nothing. Payments are kept 18 months. A missed check-out
  can be corrected through the service: the traveller states where and when they got off, the
  journey is re-priced, and the difference is refunded (or charged).

  Fares (OVpay full fare): NS Amsterdam C.–Utrecht C. 36 km: €1.00 + 36 × €0.21 = €8.56.
  Amsterdam C.–Eindhoven 117 km (via Utrecht): €1.00 + 40 × 0.21 + 40 × 0.18 + 20 × 0.14 + 17 × 0.10
  = €1.00 + €8.40 + €7.20 + €2.80 + €1.70 = €21.10. A missing check-out at NS keeps the boarding
  fee of €20.00 (JRN-07).

  Background:
    Given it is 2024-06-12 06:00
    And a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"

  @EMV-15
  Scenario: The reference and amount of a payment show its journeys, without the card number
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
      | 2024-06-12 17:00:00 | ut     |
      | 2024-06-12 17:40:00 | asd    |
    And it is 2024-06-14 10:00
    And the service is asked for payment 1 of bank card "V" with its amount
    Then the service shows a paid payment of €17.12 for travel day 2024-06-12
    And the service shows these journeys:
      | legs                                  | fare  |
      | Amsterdam Centraal > Utrecht Centraal | €8.56 |
      | Utrecht Centraal > Amsterdam Centraal | €8.56 |
    And the service shows an open debt of €0.00
    And the service's answer shows no card number of "V"

  @EMV-15
  Scenario: A wrong amount, a card number or an IBAN finds nothing
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
      | 2024-06-12 17:00:00 | ut     |
      | 2024-06-12 17:40:00 | asd    |
    And it is 2024-06-14 10:00
    And the service is asked for payment 1 of bank card "V" with amount €17.11
    Then the service finds nothing
    When the service is asked for payment 1 of bank card "V" with amount €17.13
    Then the service finds nothing
    When the service is asked for the card number of bank card "V" with amount €17.12
    Then the service finds nothing
    When the service is asked for reference "NL91ABNA0417164300" with amount €17.12
    Then the service finds nothing
    When the service is asked for payment 1 of bank card "V" with amount €17.12
    Then the service shows a paid payment of €17.12 for travel day 2024-06-12

  @EMV-15
  Scenario: A payment is found for 18 months, then no more
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
    # Charged 2024-06-13 03:05; kept until 2025-12-13 03:05 (18 calendar months).
    And it is 2025-12-13 03:04
    And the service is asked for payment 1 of bank card "V" with its amount
    Then the service shows a paid payment of €8.56 for travel day 2024-06-12
    When it is 2025-12-13 03:05
    And the service is asked for payment 1 of bank card "V" with its amount
    Then the service finds nothing

  @EMV-18 @SET-02
  Scenario: A corrected missed check-out is re-priced and the difference refunded
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
    And it is 2024-06-13 10:00
    Then the payments of bank card "V" are:
      | payment | day        | kind         | amount | status |
      | 1       | 2024-06-12 | night-charge | €20.00 | paid   |
    When the traveller corrects the missed check-out of the check-in at 2024-06-12 09:00 with payment 1 of bank card "V": checked out at "Utrecht Centraal" at 2024-06-12 09:30
    # €20.00 − €8.56 = €11.44 back to the bank account
    Then the correction re-priced the journey from €20.00 to €8.56
    And the correction refunded €11.44 and charged €0.00
    And the refunds of bank card "V" are:
      | day        | amount | set off | paid back |
      | 2024-06-12 | €11.44 | €0.00   | €11.44    |
    When the service is asked for payment 1 of bank card "V" with its amount
    Then the service shows these journeys:
      | legs                                  | fare  |
      | Amsterdam Centraal > Utrecht Centraal | €8.56 |
    When it is 2024-06-14 10:00
    And travel day 2024-06-12 is settled
    # charged €20.00 − refunds €11.44 − open debt €0.00 = credited €8.56
    Then travellers were charged €0.00 on OV-chipkaart and €20.00 by OVpay
    And the settlement shows OVpay refunds of €11.44 and open debt of €0.00
    And operator "NS" is credited €8.56
    And the settlement balances to the cent

  @EMV-18 @EMV-12
  Scenario: A correction of a journey in an open debt reduces the debt
    Given the bank answers every further payment of bank card "V" with decline-insufficient-funds
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
    And it is 2024-06-13 10:00
    Then the open debt of bank card "V" is €20.00
    When the traveller corrects the missed check-out of the check-in at 2024-06-12 09:00 with payment 1 of bank card "V": checked out at "Utrecht Centraal" at 2024-06-12 09:30
    Then the correction re-priced the journey from €20.00 to €8.56
    And the correction refunded €11.44 and charged €0.00
    And the refunds of bank card "V" are:
      | day        | amount | set off | paid back |
      | 2024-06-12 | €11.44 | €11.44  | €0.00     |
    And the open debt of bank card "V" is €8.56
    And bank card "V" is on the deny list for settlement-failed

  @EMV-18
  Scenario: A correction that makes the journey dearer charges the difference in a supplement
    Given an NS train pole "ehv" at "Eindhoven Centraal"
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
    And it is 2024-06-13 10:00
    And the traveller corrects the missed check-out of the check-in at 2024-06-12 09:00 with payment 1 of bank card "V": checked out at "Eindhoven Centraal" at 2024-06-12 10:30
    # €21.10 − €20.00 = €1.10 more
    Then the correction re-priced the journey from €20.00 to €21.10
    And the correction refunded €0.00 and charged €1.10
    And the payments of bank card "V" are:
      | payment | day        | kind         | amount | status |
      | 1       | 2024-06-12 | night-charge | €20.00 | paid   |
      | 2       | 2024-06-12 | supplement   | €1.10  | paid   |

  @EMV-18
  Scenario: A correction is refused for a station the operator does not serve, an impossible time, or a wrong amount
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
    And it is 2024-06-13 10:00
    And the traveller corrects the missed check-out of the check-in at 2024-06-12 09:00 with payment 1 of bank card "V": checked out at "Dam" at 2024-06-12 09:30
    Then the correction is refused: station-not-served
    When the traveller corrects the missed check-out of the check-in at 2024-06-12 09:00 with payment 1 of bank card "V": checked out at "Utrecht Centraal" at 2024-06-12 08:59
    Then the correction is refused: check-out-time-out-of-range
    When the traveller corrects the missed check-out of the check-in at 2024-06-12 10:00 with payment 1 of bank card "V": checked out at "Utrecht Centraal" at 2024-06-12 10:30
    Then the correction is refused: no-missing-check-out
    And bank card "V" has 1 payment
