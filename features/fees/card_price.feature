@role:seller
Feature: The price of a card (FEE-01)
  An anonymous or personal card costs €7.50. Applying for a personal card with the paper form
  adds €3.00; buying an anonymous card at a counter may add a surcharge.
  Interpretations (rule set [fees]): the counter surcharge is €1.00 (the seed names no
  amount); anonymous cards are sold at machines and counters, personal cards are applied for
  online or with the paper form (seed 002).

  Background:
    Given it is 2024-06-12 10:00

  @FEE-01
  Scenario Outline: What a card costs by channel
    When the holder buys <card> "C" <channel>
    Then the issuer accepts
    And the card costs <total>, of which <surcharge> surcharge
    And the statement of card "C" shows <total> in fees
    And card "C" has a balance of €0.00

    Examples:
      | card             | channel             | total  | surcharge |
      | an anonymous card | at a machine        | €7.50  | €0.00     |
      | an anonymous card | at a counter        | €8.50  | €1.00     |
      | a personal card   | online              | €7.50  | €0.00     |
      | a personal card   | with the paper form | €10.50 | €3.00     |

  @FEE-01
  Scenario: A personal card is not sold at a machine, an anonymous one not by paper form
    When the holder buys a personal card "P" at a machine
    Then the issuer refuses: channel-not-offered
    When the holder buys an anonymous card "A" with the paper form
    Then the issuer refuses: channel-not-offered
