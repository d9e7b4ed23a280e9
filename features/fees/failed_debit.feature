@role:backoffice @capability:auto-reload
Feature: Failed direct debits (FEE-04)
  When the direct debit of an auto-reload or of a card's cost fails, there is no second attempt:
  a letter gives 14 days to pay; after that admin costs are added (€2.50 for an auto-reload,
  €4.50 for a card's cost) and a second letter gives 14 more days; then the debt goes to a
  collection agency. After a failed auto-reload debit the card's balance is blocked until paid.
  Interpretation (rule set fees.failed_debit_payment_days, failed_debit_second_payment_days):
  the 14 days end with the 14th day after the failure (failed 12 June: pay by 26 June without
  costs, by 10 July with costs; from 11 July the collection agency).

  Background:
    Given it is 2024-06-12 08:00
    And a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €2.00
    And auto-reload of €20.00 is set on card "P"
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    And card "P" is checked in at "in"

  @FEE-04
  Scenario: A failed auto-reload debit: one attempt, 14 days, and the balance blocked
    When the holder's bank refuses the direct debit of €20.00 for the auto-reload of card "P"
    Then the issuer accepts
    And the debt of card "P" is at the first-letter stage with €20.00 owed
    And the debt of card "P" must be paid by 2024-06-26
    And the issuer made 1 debit attempt for card "P"
    And the balance of card "P" is blocked for the debt

  @FEE-04
  Scenario: Paid on the 14th day: no admin costs, and the balance is free again
    When the holder's bank refuses the direct debit of €20.00 for the auto-reload of card "P"
    And it is 2024-06-26 23:59
    Then the debt of card "P" is at the first-letter stage with €20.00 owed
    When the holder of card "P" pays €20.00 of the debt
    Then the payment settles €20.00, leaving €0.00 owed
    And the balance of card "P" is not blocked for the debt
    And the admin costs of the debt of card "P" are €0.00

  @FEE-04
  Scenario: On the 15th day €2.50 admin costs and a second letter with 14 more days
    When the holder's bank refuses the direct debit of €20.00 for the auto-reload of card "P"
    And it is 2024-06-27 00:00
    Then the debt of card "P" is at the second-letter stage with €22.50 owed
    And the debt of card "P" must be paid by 2024-07-10
    And the admin costs of the debt of card "P" are €2.50
    And the issuer made 1 debit attempt for card "P"
    When it is 2024-07-10 23:59
    And the holder of card "P" pays €20.00 of the debt
    Then the payment settles €20.00, leaving €2.50 owed
    And the balance of card "P" is blocked for the debt
    When the holder of card "P" pays €2.50 of the debt
    Then the payment settles €2.50, leaving €0.00 owed
    And the balance of card "P" is not blocked for the debt

  @FEE-04
  Scenario: After the second 14 days the debt goes to the collection agency
    When the holder's bank refuses the direct debit of €20.00 for the auto-reload of card "P"
    And it is 2024-07-11 00:00
    Then the debt of card "P" is at the collection stage with €22.50 owed
    When the holder of card "P" pays €22.50 of the debt
    Then the issuer refuses: with-collection-agency
    And the balance of card "P" is blocked for the debt

  @FEE-04
  Scenario: A failed card-cost debit: €4.50 admin costs, the balance not blocked
    When the holder's bank refuses the direct debit of €7.50 for the card cost of card "P"
    Then the balance of card "P" is not blocked for the debt
    When it is 2024-06-27 00:00
    Then the debt of card "P" is at the second-letter stage with €12.00 owed
    And the admin costs of the debt of card "P" are €4.50
