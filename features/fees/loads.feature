@role:seller
Feature: What loading costs (FEE-03)
  Loading at a machine is free; auto-reload has no fees; a small surcharge may apply to card
  payments of small loads (below €10); paying by credit card costs €0.50. The card is always
  credited with exactly the amount loaded (CARD-07).
  Interpretations (rule set [fees]): the small-payment surcharge is €0.50 for debit or credit
  card payments below €10.00; a small credit-card load pays one surcharge, not both
  (load_surcharges_stack = false).

  Background:
    Given it is 2024-06-12 10:00
    And a personal card "P" of a traveller born on 1990-05-01

  @FEE-03
  Scenario Outline: Surcharges by payment and amount
    When card "P" is loaded with <amount> at a machine, paid <payment>
    Then the machine accepts
    And the load surcharge is <surcharge> and the holder paid <paid>
    And card "P" has a balance of <amount>
    And the statement of card "P" shows <surcharge> in fees

    Examples:
      | amount | payment        | surcharge | paid   |
      | €5.00  | in cash        | €0.00     | €5.00  |
      | €9.99  | by debit card  | €0.50     | €10.49 |
      | €10.00 | by debit card  | €0.00     | €10.00 |
      | €20.00 | by credit card | €0.50     | €20.50 |
      | €5.00  | by credit card | €0.50     | €5.50  |

  @FEE-03 @role:reader @capability:auto-reload
  Scenario: An auto-reload credits exactly its amount and costs nothing
    Given card "P" has a balance of €2.00
    And auto-reload of €10.00 is set on card "P"
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    When card "P" taps at "in"
    Then the reader auto-reloaded €10.00
    And card "P" has a balance of €8.00
    And the statement of card "P" shows €10.00 auto-reloaded
    And the statement of card "P" shows €0.00 in fees

  @FEE-03
  Scenario: A refused load costs nothing
    Given card "P" has a balance of €140.00
    When card "P" is loaded with €20.00 at a machine, paid by credit card
    Then the machine refuses: above-max-balance
    And the load surcharge is €0.00 and the holder paid €0.00
