@role:reader @role:service-provider
Feature: NS balance travel needs an activated card (TAP-09)
  NS requires the card to be activated for travel on balance (class setting) before the
  first rail check-in: by loading at an NS machine, or by an NS product.

  Background:
    Given it is 2024-06-12 10:00
    And an NS train pole "asd" at "Amsterdam Centraal"

  @TAP-09
  Scenario: A card loaded only at other machines is refused at NS
    Given an anonymous card "A"
    And card "A" has a balance of €30.00
    When card "A" taps at "asd"
    Then the reader refuses: not-activated
    And card "A" is not checked in

  @TAP-09
  Scenario: Loading once at an NS machine activates balance travel
    Given an anonymous card "A"
    And card "A" has a balance of €30.00
    And card "A" is loaded with €5.00 at an NS machine
    When 2 minutes pass
    And card "A" taps at "asd"
    Then the reader checks the card in

  @TAP-09 @role:seller
  Scenario: An NS discount product activates balance travel
    Given a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €30.00
    And card "P" carries product "dal-voordeel"
    When card "P" taps at "asd"
    Then the reader checks the card in

  @TAP-09 @role:seller
  Scenario: The product "Reizen op saldo zonder NS-abonnement" activates an anonymous card
    Given an anonymous card "A"
    And card "A" has a balance of €30.00
    And card "A" carries product "reizen-op-saldo"
    When card "A" taps at "asd"
    Then the reader checks the card in

  @TAP-09
  Scenario: Other rail operators need no NS activation
    Given an anonymous card "A"
    And card "A" has a balance of €30.00
    And a KEO train pole "dv" at "Deventer"
    When card "A" taps at "dv"
    Then the reader checks the card in
