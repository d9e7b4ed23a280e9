@role:backoffice
Feature: A failed payment blocks the card until the debt is paid (EMV-12..14)
  When the bank does not approve a payment, the card's travel function is blocked everywhere:
  every operator's reader refuses a check-in, while a journey already under way can still be
  checked out (EMV-12). The back office repeats the request on its schedule (days 1, 3, 7, 14,
  21, 28, 42 and 62 after the failure, at the same local time) and never after day 62; a
  successful retry lifts the block at once (EMV-13). During and after those 62 days the
  traveller can pay by tapping at any reader: the check-in is refused with a message, the
  payment is requested, and after success the card can check in again 15 minutes later (EMV-14).

  Fares (OVpay full fare, FARE-09): NS Amsterdam C.–Utrecht C. 36 km: €1.00 + 36 × €0.21 = €8.56.
  GVB tram Amsterdam C.–Dam 0.9 km: €1.08 + 0.9 × €0.19 = €1.08 + €0.171 → €0.17 = €1.25.

  Background:
    Given it is 2024-06-12 06:00
    And a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"

  @EMV-12 @EMV-05 @role:reader @role:service-provider
  Scenario: A failed night charge blocks the card at every operator's reader
    Given the bank answers every further payment of bank card "V" with decline-insufficient-funds
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
    And it is 2024-06-13 03:05
    Then the payments of bank card "V" are:
      | payment | day        | kind         | amount | status | at               |
      | 1       | 2024-06-12 | night-charge | €8.56  | open   | 2024-06-13 03:05 |
    And the open debt of bank card "V" is €8.56
    And bank card "V" is on the deny list for settlement-failed
    When it is 2024-06-13 08:00
    And bank card "V" taps at "asd"
    Then the reader refuses: deny-listed
    And the reader shows "Openstaand bedrag"
    When it is 2024-06-13 08:10
    And bank card "V" taps at "t-asd"
    Then the reader refuses: deny-listed
    And the reader shows "Openstaand bedrag"

  @EMV-12 @EMV-10 @JRN-09 @role:reader
  Scenario: A card blocked during a journey can still check out, but cannot check in again
    Given the bank registers bank card "V" as mastercard-virtual with a travel function
    And the bank answers the next payments of bank card "V" with: decline-insufficient-funds,approve
    And the bank answers every further payment of bank card "V" with decline-insufficient-funds
    # The train leg from Amsterdam C. stays open while a tram ride is made (JRN-09). The tram
    # ride's per-trip charge of €1.25 is declined at 09:10: the card is blocked from then on.
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:05:00 | t-asd  |
      | 2024-06-12 09:10:00 | t-dam  |
    Then the payments of bank card "V" are:
      | payment | kind     | amount | status | at               |
      | 1       | per-trip | €1.25  | open   | 2024-06-12 09:10 |
    And bank card "V" is on the deny list for settlement-failed
    # Checking out of the open train leg is still accepted; its €8.56 is charged (approved).
    When it is 2024-06-12 09:50
    And bank card "V" taps at "ut"
    Then the reader accepts the bank card
    When it is 2024-06-12 10:30
    And bank card "V" taps at "ut"
    Then the reader refuses: deny-listed
    And the back office qualified the taps of card "V" as: tap-in,tap-in,tap-out,tap-out,settle-debt
    And the payments of bank card "V" are:
      | payment | kind     | amount | status | at               |
      | 1       | per-trip | €1.25  | open   | 2024-06-12 09:10 |
      | 2       | per-trip | €8.56  | paid   | 2024-06-12 09:50 |
    And the open debt of bank card "V" is €1.25

  @EMV-13
  Scenario: The back office retries on its schedule; a successful retry lifts the block at once
    Given the bank answers the next payments of bank card "V" with: decline-insufficient-funds,decline-insufficient-funds,decline-insufficient-funds,approve
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
    # Failed 2024-06-13 03:05; retries on days 1, 3 and 7: 06-14, 06-16 and 06-20 at 03:05.
    And it is 2024-06-20 03:04
    Then the open debt of bank card "V" is €8.56
    And bank card "V" is on the deny list for settlement-failed
    When it is 2024-06-20 03:05
    Then the bank received these payment requests for bank card "V":
      | at               | amount | answer                     |
      | 2024-06-13 03:05 | €8.56  | decline-insufficient-funds |
      | 2024-06-14 03:05 | €8.56  | decline-insufficient-funds |
      | 2024-06-16 03:05 | €8.56  | decline-insufficient-funds |
      | 2024-06-20 03:05 | €8.56  | approve                    |
    And the payments of bank card "V" are:
      | payment | day        | kind         | amount | status | attempts |
      | 1       | 2024-06-12 | night-charge | €8.56  | paid   | 4        |
    And the open debt of bank card "V" is €0.00
    And bank card "V" is not on the deny list
    When it is 2024-06-20 08:00
    And bank card "V" taps at "asd"
    Then the reader accepts the bank card

  @EMV-13
  Scenario: The last automatic retry is on day 62; none on day 63 or later, and the debt remains
    Given the bank answers every further payment of bank card "V" with decline-insufficient-funds
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
    # Failed 2024-06-13 03:05. Day 62 is 2024-08-14 (13 Jun + 17 = 30 Jun, + 31 = 31 Jul, + 14).
    And it is 2024-08-14 03:04
    Then the bank received 8 payment requests for bank card "V"
    When it is 2024-08-14 03:05
    Then the bank received these payment requests for bank card "V":
      | at               | amount | answer                     |
      | 2024-06-13 03:05 | €8.56  | decline-insufficient-funds |
      | 2024-06-14 03:05 | €8.56  | decline-insufficient-funds |
      | 2024-06-16 03:05 | €8.56  | decline-insufficient-funds |
      | 2024-06-20 03:05 | €8.56  | decline-insufficient-funds |
      | 2024-06-27 03:05 | €8.56  | decline-insufficient-funds |
      | 2024-07-04 03:05 | €8.56  | decline-insufficient-funds |
      | 2024-07-11 03:05 | €8.56  | decline-insufficient-funds |
      | 2024-07-25 03:05 | €8.56  | decline-insufficient-funds |
      | 2024-08-14 03:05 | €8.56  | decline-insufficient-funds |
    When it is 2024-08-15 03:05
    Then the bank received 9 payment requests for bank card "V"
    When it is 2024-12-31 12:00
    Then the bank received 9 payment requests for bank card "V"
    And the open debt of bank card "V" is €8.56
    And bank card "V" is on the deny list for settlement-failed

  @EMV-14 @role:reader
  Scenario: Paying the debt by tapping: the check-in is refused, the payment is made, check-in works 15 minutes later
    Given the bank answers the next payments of bank card "V" with: decline-insufficient-funds,approve
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
    # The night charge fails at 2024-06-13 03:05; the first retry would be 2024-06-14 03:05.
    And it is 2024-06-13 10:00
    And bank card "V" taps at "t-asd"
    Then the reader refuses: deny-listed
    And the reader shows "Openstaand bedrag"
    And the reader shows "na ongeveer 15 minuten weer inchecken"
    And the reader shows in English "Outstanding amount"
    And the bank received these payment requests for bank card "V":
      | at               | amount | answer                     |
      | 2024-06-13 03:05 | €8.56  | decline-insufficient-funds |
      | 2024-06-13 10:00 | €8.56  | approve                    |
    And the open debt of bank card "V" is €0.00
    And the payments of bank card "V" are:
      | payment | kind         | amount | status | attempts |
      | 1       | night-charge | €8.56  | paid   | 2        |
    # 14:59 after the payment the block still holds; at 15:00 it is lifted.
    When it is 2024-06-13 10:14:59
    And bank card "V" taps at "t-asd"
    Then the reader refuses: deny-listed
    When it is 2024-06-13 10:15:00
    And bank card "V" taps at "t-asd"
    Then the reader accepts the bank card
    And bank card "V" is not on the deny list
    And the back office qualified the taps of card "V" as: tap-in,tap-out,settle-debt,settle-debt,tap-in

  @EMV-14 @EMV-13 @role:reader
  Scenario: After day 62 the debt can still be paid by tapping at any operator's reader
    Given the bank answers every further payment of bank card "V" with decline-insufficient-funds
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
    And it is 2024-12-31 12:00
    Then the bank received 9 payment requests for bank card "V"
    Given the bank answers the next payments of bank card "V" with: approve
    When bank card "V" taps at "t-asd"
    Then the reader refuses: deny-listed
    And the bank received 10 payment requests for bank card "V"
    And the open debt of bank card "V" is €0.00
    When it is 2024-12-31 12:15
    And bank card "V" taps at "t-asd"
    Then the reader accepts the bank card

  @EMV-12 @SET-02 @role:service-provider
  Scenario: Operators are credited a day's fares once they are collected
    Given the bank answers the next payments of bank card "V" with: decline-insufficient-funds,approve
    # NS €8.56 + GVB €1.25 = €9.81 in one night charge, declined.
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
      | 2024-06-12 12:00:00 | t-asd  |
      | 2024-06-12 12:06:00 | t-dam  |
    And it is 2024-06-13 04:00
    And travel day 2024-06-12 is settled
    Then travellers were charged €0.00 on OV-chipkaart and €9.81 by OVpay
    And the settlement shows OVpay refunds of €0.00 and open debt of €9.81
    And operator "NS" is credited €0.00
    And operator "GVB" is credited €0.00
    And the settlement balances to the cent
    # The retry of day 1 (2024-06-14 03:05) is approved: the credits follow.
    When it is 2024-06-14 04:00
    And travel day 2024-06-12 is settled again
    Then the settlement shows OVpay refunds of €0.00 and open debt of €0.00
    And this run credits operator "NS" with €8.56
    And this run credits operator "GVB" with €1.25
    And the settlement balances to the cent
