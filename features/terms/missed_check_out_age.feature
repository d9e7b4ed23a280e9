@role:service-provider
Feature: Missed check-out refunds: the 180-day limit (TERM-16)
  Not for journeys more than 180 days ago. Interpretation: a journey on 2 January 2024 is 180
  days old on 30 June 2024 and 181 days old on 1 July 2024.

  Background:
    Given it is 2024-01-02 07:00
    And a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €50.00
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    And card "P" checked in at "in" on each of these days at 10:00, without checking out:
      | date       |
      | 2024-01-02 |

  @TERM-16
  Scenario Outline: A journey 180 days old is refunded, 181 days old not
    When it is <claim>
    And the holder of card "P" claims a refund for the journey checked in at 2024-01-02 10:00, having left at "Dam"
    Then <result>

    Examples:
      | claim               | result                              |
      | 2024-06-30 23:59:59 | the issuer accepts                  |
      | 2024-07-01 00:00    | the issuer refuses: journey-too-old |
