@role:reader
Feature: Age from the birth date on the chip (CARD-06)
  Children under 4 travel free; ages 4–11 and 65+ get 34 % off at operators other than NS,
  derived from the birth date on a personal card, on the check-in date.
  GVB tram Amsterdam Centraal → Dam is 0.9 km at €0.19/km: full fare €1.08 + €0.17 = €1.25;
  reduced: base €0.71 (FARE-02 row 2024) + €0.17 × 0.66 = €0.11 → €0.82.

  Background:
    Given it is 2024-06-12 08:00
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "out" at "Dam" in vehicle "tram-2041"

  @CARD-06
  Scenario Outline: Age band boundaries on the check-in date
    Given a personal card "P" of a traveller born on <born>
    And card "P" has a balance of €10.00
    And card "P" is checked in at "in"
    When 5 minutes pass
    And card "P" taps at "out"
    Then the fare charged is <fare>

    Examples: one day before and on the birthday that changes the band
      | born       | age | fare  |
      | 2020-06-13 | 3   | €0.00 |
      | 2020-06-12 | 4   | €0.82 |
      | 2012-06-13 | 11  | €0.82 |
      | 2012-06-12 | 12  | €1.25 |
      | 1959-06-13 | 64  | €1.25 |
      | 1959-06-12 | 65  | €0.82 |

  @CARD-06
  Scenario: An anonymous card always pays the full fare
    Given an anonymous card "A"
    And card "A" has a balance of €10.00
    And card "A" is checked in at "in"
    When 5 minutes pass
    And card "A" taps at "out"
    Then the fare charged is €1.25

  @CARD-06
  Scenario: NS gives no age discount on balance
    Given a personal card "S" of a traveller born on 1950-01-01
    And card "S" is loaded with €50.00 at an NS machine
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And card "S" is checked in at "asd"
    When 30 minutes pass
    And card "S" taps at "ut"
    # NS 36 km: €1.00 base + 36 × €0.21 = €8.56 (no age discount at NS)
    Then the fare charged is €8.56
