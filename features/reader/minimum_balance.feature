@role:reader @role:service-provider
Feature: Minimum balance to check in (TAP-02)
  The minimum balance to check in is the boarding fee minus €4. Below it the check-in is
  refused with a clear message and nothing changes.

  Background:
    Given it is 2024-06-12 10:00
    And an anonymous card "A"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And a GVB tram on-board reader "tram" at "Dam" in vehicle "tram-2041"

  @TAP-02
  Scenario: NS: exactly €16.00 (= €20 − €4) checks in
    Given card "A" is loaded with €16.00 at an NS machine
    When card "A" taps at "asd"
    Then the reader checks the card in
    And card "A" has a balance of -€4.00

  @TAP-02
  Scenario: NS: €15.99 is one cent short and is refused
    Given card "A" is loaded with €15.99 at an NS machine
    When card "A" taps at "asd"
    Then the reader refuses: insufficient-balance
    And the reader shows "Saldo te laag. Minimaal € 16,00 nodig"
    And the reader shows in English "Balance too low"
    And the reader did not write to the card
    And card "A" has a balance of €15.99
    And card "A" is not checked in

  @TAP-02
  Scenario: Bus/tram/metro: a €4 boarding fee needs a balance of €0.00
    When card "A" taps at "tram"
    Then the reader checks the card in
    And card "A" has a balance of -€4.00

  @TAP-02
  Scenario: Bus/tram/metro: a balance below €0.00 is refused
    Given card "A" is checked in at "tram"
    And a GVB tram on-board reader "out" at "Leidseplein" in vehicle "tram-2041"
    And 5 minutes pass
    And card "A" taps at "out"
    Then card "A" has a balance of -€1.38
    When 5 minutes pass
    And card "A" taps at "out"
    Then the reader refuses: insufficient-balance
