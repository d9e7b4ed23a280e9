@role:backoffice
Feature: Disputes (TERM-15)
  A dispute goes to the disputes committee (Geschillencommissie Openbaar Vervoer) only after a
  complaint to the issuer, within 3 months of the dispute arising.
  Interpretation (rule set terms.dispute_window_months): the dispute arises on the day the
  issuer answers the complaint; the same day number three months on is the last day.

  Background:
    Given it is 2024-06-01 10:00
    And a personal card "P" of a traveller born on 1990-05-01

  @TERM-15
  Scenario: No dispute without a complaint first
    When the holder of card "P" goes to the disputes committee without a complaint
    Then the issuer refuses: no-complaint

  @TERM-15
  Scenario: A complaint the issuer has not answered yet is no dispute
    When the holder of card "P" files complaint "K"
    And the holder of card "P" brings complaint "K" to the disputes committee
    Then the issuer refuses: complaint-not-answered

  @TERM-15
  Scenario: Within 3 months of the answer the dispute can be brought, the day after not
    When the holder of card "P" files complaint "K"
    And it is 2024-06-12 15:00
    And the issuer answers complaint "K"
    Then the dispute can be brought until 2024-09-12
    When it is 2024-09-12 23:59
    And the holder of card "P" brings complaint "K" to the disputes committee
    Then the dispute can be brought until 2024-09-12
    When it is 2024-09-13 00:00
    And the holder of card "P" brings complaint "K" to the disputes committee
    Then the issuer refuses: dispute-too-late
