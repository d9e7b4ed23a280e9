@role:service-provider
Feature: Refunds for journeys without check-out (TERM-16)
  Between January and June and between July and December a holder may ask balance back for at
  most three journeys per operator. Not for journeys more than 180 days ago (Qbuzz: 63 days);
  normally available from 14 days after the journey. NS has its own conditions. The journey is
  priced again with the check-out where the holder left; the refund is what the kept deposit
  exceeds that fare.
  Interpretations (rule set [terms.missed_check_out]): a claim counts in the half-year of the
  claim date; ages are whole calendar days from the journey's date to the claim date (180 days
  refundable, 181 not; 13 days too early, 14 available).

  Background:
    Given it is 2024-06-01 07:00
    And a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €50.00
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"

  @TERM-16
  Scenario: The 3rd refund of an operator in a half-year is granted, the 4th not; July starts anew
    Given card "P" checked in at "in" on each of these days at 10:00, without checking out:
      | date       |
      | 2024-06-01 |
      | 2024-06-02 |
      | 2024-06-03 |
      | 2024-06-04 |
    When it is 2024-06-30 12:00
    And the holder of card "P" claims a refund for the journey checked in at 2024-06-01 10:00, having left at "Dam"
    Then the operator refunds €2.75 of the €4.00 charged
    And it is refund 1 of GVB in 2024-H1
    When the holder of card "P" claims a refund for the journey checked in at 2024-06-02 10:00, having left at "Dam"
    And the holder of card "P" claims a refund for the journey checked in at 2024-06-03 10:00, having left at "Dam"
    Then the operator refunds €2.75 of the €4.00 charged
    And it is refund 3 of GVB in 2024-H1
    When the holder of card "P" claims a refund for the journey checked in at 2024-06-04 10:00, having left at "Dam"
    Then the issuer refuses: claim-limit-reached
    When it is 2024-06-30 23:59:59
    And the holder of card "P" claims a refund for the journey checked in at 2024-06-04 10:00, having left at "Dam"
    Then the issuer refuses: claim-limit-reached
    When it is 2024-07-01 00:00
    And the holder of card "P" claims a refund for the journey checked in at 2024-06-04 10:00, having left at "Dam"
    Then the operator refunds €2.75 of the €4.00 charged
    And it is refund 1 of GVB in 2024-H2

  @TERM-16
  Scenario: The limit is per operator
    Given a QBZ tram on-board reader "qbz" at "Utrecht Centraal" in vehicle "tram-60"
    And card "P" checked in at "in" on each of these days at 10:00, without checking out:
      | date       |
      | 2024-06-01 |
      | 2024-06-02 |
      | 2024-06-03 |
    And card "P" checked in at "qbz" on each of these days at 10:00, without checking out:
      | date       |
      | 2024-06-04 |
    And it is 2024-06-20 12:00
    And the holder of card "P" claims a refund for the journey checked in at 2024-06-01 10:00, having left at "Dam"
    And the holder of card "P" claims a refund for the journey checked in at 2024-06-02 10:00, having left at "Dam"
    And the holder of card "P" claims a refund for the journey checked in at 2024-06-03 10:00, having left at "Dam"
    When the holder of card "P" claims a refund for the journey checked in at 2024-06-04 10:00, having left at "Utrecht Science Park"
    Then the issuer accepts
    And it is refund 1 of QBZ in 2024-H1

  @TERM-16
  Scenario: Available from 14 days after the journey, not after 13
    Given card "P" checked in at "in" on each of these days at 10:00, without checking out:
      | date       |
      | 2024-06-12 |
    When it is 2024-06-25 23:59
    And the holder of card "P" claims a refund for the journey checked in at 2024-06-12 10:00, having left at "Dam"
    Then the issuer refuses: too-early
    When it is 2024-06-26 00:00
    And the holder of card "P" claims a refund for the journey checked in at 2024-06-12 10:00, having left at "Dam"
    Then the operator refunds €2.75 of the €4.00 charged

  @TERM-16
  Scenario Outline: Qbuzz refunds journeys up to 63 days old, not 64
    Given a QBZ tram on-board reader "qbz" at "Utrecht Centraal" in vehicle "tram-60"
    And card "P" checked in at "qbz" on each of these days at 10:00, without checking out:
      | date       |
      | 2024-06-03 |
    When it is <claim>
    And the holder of card "P" claims a refund for the journey checked in at 2024-06-03 10:00, having left at "Utrecht Science Park"
    Then <result>

    Examples:
      | claim            | result                            |
      | 2024-08-05 18:00 | the issuer accepts                |
      | 2024-08-06 09:00 | the issuer refuses: journey-too-old |

  @TERM-16
  Scenario: A journey is refunded once; a completed journey has nothing to refund
    Given a GVB tram on-board reader "out" at "Dam" in vehicle "tram-2041"
    And card "P" checked in at "in" on each of these days at 10:00, without checking out:
      | date       |
      | 2024-06-01 |
    And it is 2024-06-02 10:00
    And card "P" is checked in at "in"
    And it is 2024-06-02 10:10
    And card "P" taps at "out"
    When it is 2024-06-20 12:00
    And the holder of card "P" claims a refund for the journey checked in at 2024-06-01 10:00, having left at "Dam"
    And the holder of card "P" claims a refund for the journey checked in at 2024-06-01 10:00, having left at "Dam"
    Then the issuer refuses: already-refunded
    When the holder of card "P" claims a refund for the journey checked in at 2024-06-02 10:00, having left at "Dam"
    Then the issuer refuses: no-missed-check-out

  @TERM-16
  Scenario: NS journeys follow NS's own conditions
    Given card "P" is loaded with €20.00 at an NS machine
    And an NS train pole "asd" at "Amsterdam Centraal"
    And card "P" checked in at "asd" on each of these days at 10:00, without checking out:
      | date       |
      | 2024-06-01 |
    When it is 2024-06-20 12:00
    And the holder of card "P" claims a refund for the journey checked in at 2024-06-01 10:00, having left at "Utrecht Centraal"
    Then the issuer refuses: operator-own-conditions
