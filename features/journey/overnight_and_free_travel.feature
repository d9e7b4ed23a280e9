@role:backoffice @role:service-provider @role:reader
Feature: A check-in left open overnight, and free travel without a deposit (JRN-07)
  Regression scenarios: a check-in still open at the end of its travel day (03:05) is a
  missing check-out, on the card as in the back office; a traveller whose product makes the
  journey free at check-in pays no deposit, so a missing check-out costs nothing there either.

  @JRN-07 @TAP-04
  Scenario: The next morning's tap at the same operator is a new check-in
    Given it is 2024-06-12 07:00
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And an anonymous card "A"
    And card "A" is loaded with €5.00 at an NS machine
    And card "A" has a balance of €45.00
    And it is 2024-06-12 22:00
    And card "A" is checked in at "asd"
    When it is 2024-06-13 08:00
    And card "A" taps at "ut"
    Then the reader checks the card in
    And the reader first closed the open check-in as a missing check-out
    And card "A" has a balance of €10.00

  @JRN-07 @TAP-01
  Scenario: A Dal Vrij holder off-peak pays no deposit and nothing for a missing check-out
    Given it is 2024-06-12 07:00
    And an NS train pole "asd" at "Amsterdam Centraal"
    And a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €30.00
    And card "P" carries product "dal-vrij"
    When card "P" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | asd    |
    Then the deposit taken is €0.00
    When it is 2024-06-13 04:00
    Then journey 1 of card "P" costs €0.00
    And leg 1 of journey 1 of card "P" is missing-check-out
    And card "P" has a balance of €30.00

  @JRN-07 @TAP-01
  Scenario: In the peak the same Dal Vrij holder pays the subscription deposit
    Given it is 2024-06-12 07:00
    And an NS train pole "asd" at "Amsterdam Centraal"
    And a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €30.00
    And card "P" carries product "dal-vrij"
    When card "P" taps at these readers:
      | at                  | reader |
      | 2024-06-12 08:00:00 | asd    |
    Then the deposit taken is €10.00
