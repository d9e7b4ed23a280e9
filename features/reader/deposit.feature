@role:reader @role:service-provider
Feature: Boarding fee as a deposit, settled at check-out (TAP-01)
  Check-in takes the operator's boarding fee (instaptarief) as a deposit; check-out settles
  it against the fare. The fee depends on operator and mode, and may depend on the product.

  Background:
    Given it is 2024-06-12 10:00
    And an anonymous card "A"
    And card "A" has a balance of €30.00

  @TAP-01
  Scenario: Bus/tram/metro: €4 deposit, refund of the rest at check-out
    Given a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "out" at "Dam" in vehicle "tram-2041"
    When card "A" taps at "in"
    Then the reader checks the card in
    And the deposit taken is €4.00
    And card "A" has a balance of €26.00
    When 6 minutes pass
    And card "A" taps at "out"
    Then the reader checks the card out
    And the fare charged is €1.25
    And card "A" has a balance of €28.75

  @TAP-01 @TAP-09
  Scenario: Train: €20 deposit; a fare above the deposit charges the difference at check-out
    Given card "A" is loaded with €20.00 at an NS machine
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "gn" at "Groningen"
    When card "A" taps at "asd"
    Then the deposit taken is €20.00
    And card "A" has a balance of €30.00
    When 150 minutes pass
    And card "A" taps at "gn"
    Then the fare charged is €30.00
    And card "A" has a balance of €20.00

  @TAP-01
  Scenario: Subscription holders pay a lower NS boarding fee
    Given a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €30.00
    And card "P" carries product "dal-voordeel"
    And an NS train pole "asd" at "Amsterdam Centraal"
    When card "P" taps at "asd"
    Then the reader checks the card in
    And the deposit taken is €10.00

  @TAP-01 @FARE-10
  Scenario: Sentire holders pay the reduced boarding fee of €1.20
    Given a personal card "P" of a traveller born on 1970-05-01
    And card "P" has a balance of €10.00
    And card "P" carries product "sentire"
    And a HTM tram on-board reader "spui" at "Spui" in vehicle "tram-3001"
    When card "P" taps at "spui"
    Then the deposit taken is €1.20

  @TAP-01
  Scenario Outline: Boarding fees per operator and mode
    Given card "A" is loaded with €20.00 at an NS machine
    And an <operator> <mode> pole "r" at "<station>"
    When card "A" taps at "r"
    Then the reader checks the card in
    And the deposit taken is <fee>

    Examples:
      | operator | mode  | station            | fee    |
      | NS       | train | Utrecht Centraal   | €20.00 |
      | KEO      | train | Deventer           | €10.00 |
      | ARR      | train | Doetinchem         | €20.00 |
      | RET      | metro | Beurs              | €4.00  |
      | EBS      | bus   | Purmerend, Tramplein | €5.00 |
      | QBZ      | tram  | Utrecht Science Park | €6.00 |
