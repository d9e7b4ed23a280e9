@role:seller
Feature: Refund and replacement fees (FEE-02)
  Refunding the balance of an expired card is free; at an operator's counter a refund is free
  when the card has less than six weeks of validity left (otherwise €1.00 admin costs, TERM-03);
  replacing an expired card costs €7.50.
  Interpretation (rule set fees.free_counter_refund_validity_left_days = 42): validity left is
  counted in days from today until the expiry date, the last valid day; 42 days left is not
  less than six weeks, 41 days is.

  Background:
    Given it is 2024-06-12 10:00
    And a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €20.00
    Then card "P" is valid until 2029-06-11

  @FEE-02
  Scenario: Six weeks of validity left: the counter refund costs €1.00
    When it is 2029-04-30 10:00
    And the holder asks a refund of card "P" at a service point
    Then the service point pays €19.00 in cash
    And the refund's admin fee is €1.00

  @FEE-02
  Scenario: Less than six weeks of validity left: the counter refund is free
    When it is 2029-05-01 10:00
    And the holder asks a refund of card "P" at a service point
    Then the service point pays €20.00 in cash
    And the refund's admin fee is €0.00

  @FEE-02
  Scenario: The balance of an expired card is refunded free
    When it is 2029-06-12 10:00
    And the holder asks a refund of card "P" at a service point
    Then the service point pays €20.00 in cash
    And the refund's admin fee is €0.00

  @FEE-02
  Scenario: Replacing an expired card costs €7.50; not before it expired
    Given card "P" carries product "dal-voordeel"
    When it is 2029-06-11 23:59
    And the holder gets replacement card "P2" for card "P" (expired)
    Then the issuer refuses: not-expired
    When it is 2029-06-12 10:00
    And the holder gets replacement card "P2" for card "P" (expired)
    Then the replacement costs €7.50
    And card "P2" is valid until 2034-06-11
