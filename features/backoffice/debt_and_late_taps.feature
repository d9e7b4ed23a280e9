@role:backoffice @role:service-provider
Feature: Debt, deny-listing in time, and taps that arrive after settlement
  Regression scenarios: a debt applies from the moment the card is listed, never to earlier
  journeys; a listed bank card may still check out (EMV-12) and its refused check-in is an
  attempt to settle the debt (EMV-06); a tap uploaded after its day was settled corrects the
  settlement by the difference only (SET-02, SET-03).

  Background:
    Given a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"

  @EMV-06
  Scenario: A deny-listed bank card's refused check-in is a tap to settle the debt
    Given it is 2024-06-12 10:00
    And card "V" is on the deny list as settlement-failed
    When bank card "V" taps at "t-asd"
    Then the reader refuses: deny-listed
    And the back office qualified the taps of card "V" as: settle-debt

  @EMV-06 @GBO-01
  Scenario: Listing a card for a failed settlement does not erase its earlier journeys
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
    And it is 2024-06-13 10:00
    And card "V" is on the deny list as settlement-failed
    Then card "V" made 1 journey
    And journey 1 of card "V" costs €8.56

  @TAP-05 @EMV-06
  Scenario: A bank card listed during its journey can still check out
    Given it is 2024-06-12 09:00
    And bank card "V" taps at "asd"
    And it is 2024-06-12 09:10
    And card "V" is on the deny list as settlement-failed
    When it is 2024-06-12 09:30
    And bank card "V" taps at "ut"
    Then the reader accepts the bank card
    And the back office qualified the taps of card "V" as: tap-in,tap-out

  @SET-02 @SET-03 @TAP-08 @capability:offline-readers
  Scenario: A check-out uploaded after settlement corrects the credit by the difference only
    # Missing check-out: the GVB boarding fee €4.00. Completed Amsterdam C.–Dam: €1.25.
    Given reader "t-dam" is offline
    And it is 2024-06-12 10:00
    And bank card "V" taps at "t-asd"
    And it is 2024-06-12 10:06
    And bank card "V" taps at "t-dam"
    And it is 2024-06-13 04:00
    When travel day 2024-06-12 is settled
    Then operator "GVB" is credited €4.00
    When reader "t-dam" comes back online
    And travel day 2024-06-12 is settled again
    Then operator "GVB" is credited €1.25
    And this run credits operator "GVB" with -€2.75
    And the settlement balances to the cent
    When travel day 2024-06-12 is settled again
    Then the second run settled nothing new and repeats the first statement
