@role:reader @role:service-provider
Feature: What the reader shows (TAP-07)
  The reader shows the result: accepted or refused, the fare and remaining balance at
  check-out, and "overstap" when a check-in continues a journey. Texts in Dutch as on real
  readers, with an English gloss.

  Background:
    Given it is 2024-06-12 10:00
    And an anonymous card "A"
    And card "A" has a balance of €20.00
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "out" at "Dam" in vehicle "tram-2041"
    And a GVB tram on-board reader "next" at "Dam" in vehicle "tram-2107"

  @TAP-07
  Scenario: Check-in shows the balance after the deposit
    When card "A" taps at "in"
    Then the reader shows "Ingecheckt"
    And the reader shows in English "Checked in"
    And the reader shows a balance of €16.00

  @TAP-07
  Scenario: Check-out shows the fare and the remaining balance
    Given card "A" is checked in at "in"
    When 6 minutes pass
    And card "A" taps at "out"
    Then the reader shows "Uitgecheckt. Reiskosten € 1,25. Saldo € 18,75"
    And the reader shows in English "Fare €1.25. Balance €18.75"

  @TAP-07
  Scenario: A check-in within 35 minutes of a check-out shows "Overstap"
    Given card "A" is checked in at "in"
    And 6 minutes pass
    And card "A" taps at "out"
    When 35 minutes pass
    And card "A" taps at "next"
    Then the reader checks the card in
    And the check-in is a transfer
    And the reader shows "Overstap"

  @TAP-07
  Scenario: 36 minutes after a check-out the check-in starts a new journey
    Given card "A" is checked in at "in"
    And 6 minutes pass
    And card "A" taps at "out"
    When 36 minutes pass
    And card "A" taps at "next"
    Then the reader checks the card in
    And the check-in is not a transfer
    And the reader shows "Ingecheckt"

  @TAP-07
  Scenario: A refusal says why, in Dutch and English
    Given an NS train pole "ns" at "Amsterdam Centraal"
    When card "A" taps at "ns"
    Then the reader refuses: not-activated
    And the reader shows "Kaart niet geactiveerd voor reizen op saldo bij NS"
    And the reader shows in English "Card not activated for travel on balance with NS"
