@role:backoffice
Feature: OVpay charges a travel day in one payment, at a threshold, or per trip (EMV-08..11)
  In the night after a travel day (it ends at 03:05, EMV-07) the back office charges all fares
  of that day of a bank card in one payment (EMV-08). When during the day the fares due to one
  operator reach that operator's threshold (NS €30.00), everything due is charged at once; later
  trips wait for the night unless the threshold is reached again (EMV-09). Cards of a per-trip
  scheme (virtual Mastercard on a phone or watch) are charged per trip (EMV-10). Every payment
  has its own reference: 14 letters and digits starting with "NLOV" (EMV-11).

  OVpay pays the full second-class rail fare (FARE-09): €1.00 + the km in bands (0–40 km
  €0.21, 40–80 km €0.18, 80–100 km €0.14, 100–200 km €0.10), shortest path over the network.
    Amsterdam C.–Utrecht C.   36 km:          1.00 + 36×0.21 = 1.00 + 7.56                 = €8.56
    Utrecht C.–Deventer       88 km (via Amf): 1.00 + 8.40 + 40×0.18 + 8×0.14 = 1.00+8.40+7.20+1.12 = €17.72
    Deventer–Hengelo          56 km (via Aml): 1.00 + 8.40 + 16×0.18 = 1.00+8.40+2.88       = €12.28
    Amsterdam C.–Hilversum    29 km:          1.00 + 29×0.21 = 1.00 + 6.09                 = €7.09
    Nijmegen–Rotterdam C.    135 km (via Ah, Ut): 1.00 + 8.40 + 7.20 + 20×0.14 + 35×0.10
                                            = 1.00 + 8.40 + 7.20 + 2.80 + 3.50             = €22.90

  Background:
    Given it is 2024-06-12 06:00
    And a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And an NS train pole "hvs" at "Hilversum"
    And an NS train pole "dv" at "Deventer"
    And an NS train pole "hgl" at "Hengelo"
    And an NS train pole "nm" at "Nijmegen"
    And an NS train pole "rtd" at "Rotterdam Centraal"

  @EMV-08 @EMV-11
  Scenario: A day's fares are charged in one payment in the night after the travel day
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
      | 2024-06-12 17:00:00 | ut     |
      | 2024-06-12 17:40:00 | asd    |
    And it is 2024-06-13 03:04
    Then bank card "V" has 0 payments
    # 2 × €8.56 = €17.12, at the end of the travel day (03:05)
    When it is 2024-06-13 03:05
    Then the payments of bank card "V" are:
      | payment | day        | kind         | amount | status | at               |
      | 1       | 2024-06-12 | night-charge | €17.12 | paid   | 2024-06-13 03:05 |
    And the bank received these payment requests for bank card "V":
      | at               | amount | answer  |
      | 2024-06-13 03:05 | €17.12 | approve |
    And every payment of bank card "V" has its own reference of 14 letters and digits starting with "NLOV"

  @EMV-08 @SET-02 @role:service-provider
  Scenario: The night charge reconciles with what NS is credited
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
      | 2024-06-12 17:00:00 | ut     |
      | 2024-06-12 17:40:00 | asd    |
    And it is 2024-06-13 04:00
    And travel day 2024-06-12 is settled
    Then travellers were charged €0.00 on OV-chipkaart and €17.12 by OVpay
    And the settlement shows OVpay refunds of €0.00 and open debt of €0.00
    And operator "NS" is credited €17.12 for 2 trips
    And the settlement balances to the cent

  @EMV-09
  Scenario: Fares due reaching the threshold exactly are charged at once; later trips wait for the night
    # 17.72 + 12.28 = €30.00 = the NS threshold: charged at the check-out that reached it.
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | ut     |
      | 2024-06-12 10:30:00 | dv     |
      | 2024-06-12 11:30:00 | dv     |
      | 2024-06-12 12:30:00 | hgl    |
    Then the payments of bank card "V" are:
      | payment | kind         | amount | status | at               |
      | 1       | threshold NS | €30.00 | paid   | 2024-06-12 12:30 |
    # Hengelo–Deventer €12.28 stays below the threshold: it waits for the night.
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 14:00:00 | hgl    |
      | 2024-06-12 14:40:00 | dv     |
    And it is 2024-06-13 03:04
    Then bank card "V" has 1 payment
    When it is 2024-06-13 03:05
    Then the payments of bank card "V" are:
      | payment | day        | kind         | amount | status | at               |
      | 1       | 2024-06-12 | threshold NS | €30.00 | paid   | 2024-06-12 12:30 |
      | 2       | 2024-06-12 | night-charge | €12.28 | paid   | 2024-06-13 03:05 |

  @EMV-09
  Scenario: Fares due one cent below the threshold wait for the night charge
    # 7.09 + 22.90 = €29.99, one cent below the NS threshold of €30.00.
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | hvs    |
      | 2024-06-12 11:00:00 | nm     |
      | 2024-06-12 12:30:00 | rtd    |
    And it is 2024-06-12 23:59
    Then bank card "V" has 0 payments
    When it is 2024-06-13 03:05
    Then the payments of bank card "V" are:
      | payment | day        | kind         | amount | status | at               |
      | 1       | 2024-06-12 | night-charge | €29.99 | paid   | 2024-06-13 03:05 |

  @EMV-09 @EMV-11
  Scenario: The threshold charge repeats when the threshold is reached again
    # 17.72 + 12.28 = €30.00, charged; then 12.28 + 17.72 = €30.00 again, charged again; the
    # night finds nothing left to charge.
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 07:00:00 | ut     |
      | 2024-06-12 08:30:00 | dv     |
      | 2024-06-12 09:30:00 | dv     |
      | 2024-06-12 10:30:00 | hgl    |
      | 2024-06-12 14:00:00 | hgl    |
      | 2024-06-12 14:40:00 | dv     |
      | 2024-06-12 15:30:00 | dv     |
      | 2024-06-12 16:50:00 | ut     |
    And it is 2024-06-13 04:00
    Then the payments of bank card "V" are:
      | payment | kind         | amount | at               |
      | 1       | threshold NS | €30.00 | 2024-06-12 10:30 |
      | 2       | threshold NS | €30.00 | 2024-06-12 16:50 |
    And every payment of bank card "V" has its own reference of 14 letters and digits starting with "NLOV"

  @EMV-10 @EMV-11
  Scenario: A virtual Mastercard on a phone is charged per trip, a physical card in the night
    Given a bank card "W"
    And the bank registers bank card "V" as mastercard-virtual with a travel function
    And the bank registers bank card "W" as mastercard-physical with a travel function
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
    Then the payments of bank card "V" are:
      | payment | kind     | amount | at               |
      | 1       | per-trip | €8.56  | 2024-06-12 09:30 |
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 17:00:00 | ut     |
      | 2024-06-12 17:40:00 | asd    |
    And bank card "W" taps at these readers:
      | at                  | reader |
      | 2024-06-12 18:00:00 | asd    |
      | 2024-06-12 18:30:00 | ut     |
      | 2024-06-12 20:00:00 | ut     |
      | 2024-06-12 20:40:00 | asd    |
    And it is 2024-06-13 04:00
    Then the payments of bank card "V" are:
      | payment | day        | kind     | amount | status | at               |
      | 1       | 2024-06-12 | per-trip | €8.56  | paid   | 2024-06-12 09:30 |
      | 2       | 2024-06-12 | per-trip | €8.56  | paid   | 2024-06-12 17:40 |
    And the payments of bank card "W" are:
      | payment | day        | kind         | amount | status | at               |
      | 1       | 2024-06-12 | night-charge | €17.12 | paid   | 2024-06-13 03:05 |
    And every payment of bank card "V" has its own reference of 14 letters and digits starting with "NLOV"
