@role:backoffice
Feature: The back office qualifies bank-card taps (EMV-06)
  A bank card carries no check-in on a chip, so the back office qualifies each of its taps as a
  tap-in, a tap-out, or a tap to settle an outstanding debt. A tap is a tap-out when the card
  has an open leg at the same operator in the same transport class on the same travel day;
  otherwise it is a tap-in, which closes an open leg of that class elsewhere as a missing
  check-out. While the card is on the deny list after a failed settlement, a tap is an attempt
  to pay the debt.

  Background:
    Given it is 2024-06-12 08:00
    And a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And an NS train pole "amf" at "Amersfoort Centraal"
    And a QBZ tram on-board reader "q-ut" at "Utrecht Centraal" in vehicle "tram-60"
    And a QBZ tram on-board reader "q-usp" at "Utrecht Science Park" in vehicle "tram-60"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"
    And an EBS bus on-board reader "ebs-asd" at "Amsterdam Centraal" in vehicle "bus-7"
    And an EBS bus on-board reader "ebs-purm" at "Purmerend, Tramplein" in vehicle "bus-7"

  @EMV-06
  Scenario: A train ride then a tram ride: in, out, in, out
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | asd    |
      | 2024-06-12 09:50:00 | ut     |
      | 2024-06-12 09:55:00 | q-ut   |
      | 2024-06-12 10:10:00 | q-usp  |
    Then the back office qualified the taps of card "V" as: tap-in,tap-out,tap-in,tap-out

  @EMV-06 @JRN-06
  Scenario: Two taps at the same reader are a tap-in and then a tap-out
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | t-dam  |
      | 2024-06-12 10:02:00 | t-dam  |
    And it is 2024-06-13 04:00
    Then the back office qualified the taps of card "V" as: tap-in,tap-out
    # JRN-06: in and out at the same stop costs the base fare of 2024, €1.08
    And the journeys of card "V" are:
      | journey | legs    | fare  |
      | 1       | dam>dam | €1.08 |

  @EMV-06
  Scenario: A check-out and a check-in at the same NS station are a tap-out and a tap-in
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | asd    |
      | 2024-06-12 09:50:00 | ut     |
      | 2024-06-12 10:10:00 | ut     |
      | 2024-06-12 10:30:00 | amf    |
    Then the back office qualified the taps of card "V" as: tap-in,tap-out,tap-in,tap-out
    And card "V" made 1 journey

  @EMV-06 @JRN-07
  Scenario: A tap at another operator is a tap-in that closes the open leg as a missing check-out
    When bank card "V" taps at these readers:
      | at                  | reader   |
      | 2024-06-12 10:00:00 | t-asd    |
      | 2024-06-12 10:20:00 | ebs-asd  |
      | 2024-06-12 10:45:00 | ebs-purm |
    And it is 2024-06-13 04:00
    Then the back office qualified the taps of card "V" as: tap-in,tap-in,tap-out
    And the journeys of card "V" are:
      | journey | legs        |
      | 1       | asd>?       |
      | 2       | asd>purm-tp |
    And leg 1 of journey 1 of card "V" is missing-check-out
    # EBS Amsterdam Centraal→Purmerend: the fixed route fare, €4.50
    And journey 2 of card "V" costs €4.50

  @EMV-06
  Scenario: A rail leg stays open while a tram ride is made: the taps are told apart by class
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:05:00 | t-asd  |
      | 2024-06-12 09:10:00 | t-dam  |
      | 2024-06-12 09:50:00 | ut     |
    Then the back office qualified the taps of card "V" as: tap-in,tap-in,tap-out,tap-out

  @EMV-06 @role:service-provider
  Scenario: A tap of a card in debt after a failed settlement is a tap to settle the debt
    Given card "V" is on the deny list as settlement-failed
    When the back office receives these taps:
      | tap    | at                  | card | reader | kind |
      | GVB-T1 | 2024-06-12 10:00:00 | V    | t-asd  | emv  |
    And it is 2024-06-13 04:00
    Then the back office qualified the taps of card "V" as: settle-debt
    And card "V" made 0 journeys
    When operator "GVB" asks for its report of 2024-06-12
    Then the report lists 1 transaction, 0 trips and 0 payments
    And the report's transactions are:
      | station | kind        | card  |
      | asd     | settle-debt | token |
