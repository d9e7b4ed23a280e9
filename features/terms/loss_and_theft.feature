@role:backoffice
Feature: Loss and theft of a card (TERM-05, TERM-06, TERM-07)
  A personal card reported lost or stolen is blocked within 24 hours of the report. Anonymous
  cards cannot be blocked (nor replaced). From 00:00 of the day after the report the issuer
  bears the risk: it pays the balance per its administration at that 00:00, counting every
  transaction before it, also those that reach the system later — not in case of intent or
  gross negligence.
  Interpretations (rule set terms.loss_block_within_h, terms.risk_transfer_days): the reference
  blocks at the report itself (any moment within 24 elapsed hours conforms); "00:00 of the next
  day" is local midnight, so a transaction at 23:59:59 counts and one at 00:00:00 does not.

  Background:
    Given it is 2024-06-12 08:00
    And a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €20.00
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "out" at "Dam" in vehicle "tram-2041"

  @TERM-05 @role:reader
  Scenario: A reported card is blocked within 24 hours and refused at readers
    When it is 2024-06-12 10:00
    And the holder reports card "P" lost
    Then the card is blocked at 2024-06-12 10:00, the block being due by 2024-06-13 10:00
    And card "P" was blocked within 24 hours of its report
    And readers must refuse card "P"
    When it is 2024-06-13 10:00
    And card "P" taps at "in"
    Then the reader refuses: deny-listed
    And card "P" is blocked
    And card "P" has a balance of €20.00

  @TERM-05
  Scenario: The 24 hours are elapsed hours, also over the autumn clock change
    When it is 2024-10-26 10:00
    And the holder reports card "P" stolen
    Then the card is blocked at 2024-10-26 10:00, the block being due by 2024-10-27 09:00

  @TERM-06 @role:reader
  Scenario: An anonymous card cannot be blocked for loss or theft, nor replaced
    Given an anonymous card "A"
    And card "A" has a balance of €15.00
    When the holder reports card "A" stolen
    Then the issuer refuses: anonymous-card
    And readers need not refuse card "A"
    When the holder gets replacement card "A2" for card "A" (lost-or-stolen)
    Then the issuer refuses: anonymous-card
    When card "A" taps at "in"
    Then the reader checks the card in

  @TERM-07
  Scenario Outline: The risk transfers at 00:00 of the day after the report
    When it is <report>
    And the holder reports card "P" lost
    Then the issuer bears the risk from <risk>

    Examples:
      | report              | risk             |
      | 2024-06-12 23:59:59 | 2024-06-13 00:00 |
      | 2024-06-13 00:00:00 | 2024-06-14 00:00 |
      | 2024-03-30 18:00    | 2024-03-31 00:00 |

  @TERM-07 @role:reader @capability:offline-readers
  Scenario: Journeys before 00:00 that reach the back office later lower the refund
    Given reader "in" is offline
    And reader "out" is offline
    And it is 2024-06-12 22:00
    And card "P" taps at "in"
    And it is 2024-06-12 22:10
    And card "P" taps at "out"
    When it is 2024-06-12 23:00
    And the holder reports card "P" stolen
    Then the issuer bears the risk from 2024-06-13 00:00
    And the administrative balance of card "P" before 2024-06-13 00:00 is €20.00
    When it is 2024-06-13 09:00
    And reader "in" comes back online
    And reader "out" comes back online
    Then the administrative balance of card "P" before 2024-06-13 00:00 is €18.75
    When the issuer pays out the old balance of card "P"
    Then €18.75 is paid to the holder's bank account

  @TERM-07 @role:reader
  Scenario Outline: A check-out at 23:59:59 is the holder's risk, at 00:00:00 the issuer's
    Given it is 2024-06-12 23:30
    And card "P" is checked in at "in"
    And it is 2024-06-12 23:40
    And the holder reports card "P" stolen
    When it is <check-out>
    And card "P" taps at "out"
    Then the reader checks the card out
    When it is 2024-06-13 10:00
    And the issuer pays out the old balance of card "P"
    Then <paid> is paid to the holder's bank account

    Examples:
      | check-out           | paid   |
      | 2024-06-12 23:59:59 | €18.75 |
      | 2024-06-13 00:00:00 | €16.00 |

  @TERM-07
  Scenario: Before 00:00 nothing is paid yet; from 00:00 the balance is paid
    Given the holder reports card "P" lost
    When it is 2024-06-12 23:59:59
    And the issuer pays out the old balance of card "P"
    Then the issuer refuses: not-yet
    And the old balance of card "P" is not settled
    When it is 2024-06-13 00:00
    And the issuer pays out the old balance of card "P"
    Then €20.00 is paid to the holder's bank account

  @TERM-07 @TERM-11
  Scenario: With gross negligence the issuer bears no risk: the balance is withheld
    Given the holder reports card "P" stolen
    When it is 2024-06-14 10:00
    And the issuer settles the old balance of card "P", finding gross-negligence
    Then €20.00 of the old balance is withheld
