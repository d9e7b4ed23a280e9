@role:seller
Feature: Products by card kind (CARD-05)
  Subscriptions and personal discounts go only on a personal card; an anonymous card
  carries balance and a limited set of products without personal discount.

  Background:
    Given it is 2024-06-12 08:00

  @CARD-05
  Scenario: A personal card takes a subscription
    Given a personal card "P" of a traveller born on 1990-05-01
    When product "dal-voordeel" is loaded on card "P"
    Then the machine accepts
    And card "P" carries 1 product

  @CARD-05
  Scenario Outline: An anonymous card refuses personal products
    Given an anonymous card "A"
    When product "<product>" is loaded on card "A"
    Then the machine refuses: personal-card-only
    And card "A" carries 0 products

    Examples:
      | product         |
      | dal-voordeel    |
      | altijd-korting  |
      | sentire         |

  @CARD-05
  Scenario: An anonymous card takes a product without personal discount
    Given an anonymous card "A"
    When product "reizen-op-saldo" is loaded on card "A"
    Then the machine accepts
    And card "A" carries 1 product

  @CARD-05 @FARE-10
  Scenario: Sentire cannot be combined with other products
    Given a personal card "P" of a traveller born on 1960-01-01
    And card "P" carries product "sentire"
    When product "altijd-korting" is loaded on card "P"
    Then the machine refuses: not-combinable
