@suzhou
Feature: Suzhou implementation opinions on blockchain technology and industrial innovation (苏府〔2020〕93号)
  Audits rules/suzhou/suzhou-2020-93.yaml. Milestone tiers are paid as the difference against what
  the clause already paid, within the company's local fiscal contribution that year.

  Scenario Outline: Blockchain revenue first exceeding a milestone pays that tier
    Given an enterprise whose main business is blockchain
    And its blockchain_revenue is <revenue>
    And its local_fiscal_contribution is 5,000,000
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.revenue_milestone is <status>
    And suzhou.revenue_milestone pays <amount> yuan

    Examples: both sides of each threshold
      | revenue        | status     | amount       |
      | 20,000,000     | ineligible | 0.00         |
      | 20,000,000.01  | eligible   | 500,000.00   |
      | 50,000,000     | eligible   | 500,000.00   |
      | 50,000,000.01  | eligible   | 1,000,000.00 |
      | 100,000,000    | eligible   | 1,000,000.00 |
      | 100,000,000.01 | eligible   | 2,000,000.00 |
      | 500,000,000    | eligible   | 2,000,000.00 |
      | 500,000,000.01 | eligible   | 3,000,000.00 |

  Scenario: The next year a higher tier pays only the difference
    Given an enterprise whose main business is blockchain
    And its blockchain_revenue is 60,000,000
    And its local_fiscal_contribution is 5,000,000
    And it was paid 500,000.00 yuan under suzhou.revenue_milestone in 2021
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.revenue_milestone pays 500,000.00 yuan

  Scenario: A tier already paid is not paid again
    Given an enterprise whose main business is blockchain
    And its blockchain_revenue is 60,000,000
    And its local_fiscal_contribution is 5,000,000
    And it was paid 1,000,000.00 yuan under suzhou.revenue_milestone in 2021
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.revenue_milestone is ineligible
    And suzhou.revenue_milestone pays nothing

  Scenario: Jumping several tiers in one year pays the highest tier reached
    Given an enterprise whose main business is blockchain
    And its blockchain_revenue is 600,000,000
    And its local_fiscal_contribution is 5,000,000
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.revenue_milestone pays 3,000,000.00 yuan

  Scenario Outline: The award never exceeds the company's local fiscal contribution that year
    Given an enterprise whose main business is blockchain
    And its blockchain_revenue is 60,000,000
    And its local_fiscal_contribution is <contribution>
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.revenue_milestone pays <amount> yuan

    Examples:
      | contribution | amount       |
      | 300,000      | 300,000.00   |
      | 1,000,000    | 1,000,000.00 |
      | 2,000,000    | 1,000,000.00 |

  Scenario Outline: Unknown facts leave the milestone award open and say what settles it
    Given an enterprise whose main business is blockchain
    And its blockchain_revenue is <revenue>
    And its local_fiscal_contribution is <contribution>
    And its prior_awards is <history>
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.revenue_milestone is <status>
    And suzhou.revenue_milestone pays between 0.00 and <high> yuan
    And suzhou.revenue_milestone needs <needs>

    Examples:
      | revenue    | contribution | history | status       | high         | needs                     |
      | unknown    | 5,000,000    | unknown | undetermined | 3,000,000.00 | blockchain_revenue, prior_awards |
      | 60,000,000 | unknown      | unknown | eligible     | 1,000,000.00 | prior_awards, local_fiscal_contribution |

  Scenario Outline: The milestone award is for blockchain enterprises
    Given an enterprise whose main business is blockchain
    And its main_business_blockchain is <blockchain>
    And its blockchain_revenue is 60,000,000
    And its local_fiscal_contribution is 5,000,000
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.revenue_milestone is <status>

    Examples:
      | blockchain | status       |
      | yes        | eligible     |
      | no         | ineligible   |
      | unknown    | undetermined |

  Scenario: No split of the milestone award is stated, so no one is said to pay it all
    Given an enterprise whose main business is blockchain
    And its blockchain_revenue is 60,000,000
    And its local_fiscal_contribution is 5,000,000
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.revenue_milestone is paid by responsible units with no stated split, among them 各市、区人民政府
    And the responsible units with no stated split pay 1,000,000.00 yuan in all

  Scenario: The milestone award is for enterprises, not parks
    Given a park with no award history
    And its blockchain_revenue is 60,000,000
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.revenue_milestone is ineligible

  Scenario Outline: Leading a standard's drafting earns 500,000 per national and 300,000 per provincial standard
    Given an enterprise whose main business is blockchain
    And its standards_led.national is <national>
    And its standards_led.provincial is <provincial>
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.standard_setting is <status>
    And suzhou.standard_setting pays between <low> and <high> yuan

    Examples:
      | national | provincial | status       | low          | high         |
      | 0        | 0          | ineligible   | 0.00         | 0.00         |
      | 1        | 0          | eligible     | 500,000.00   | 500,000.00   |
      | 0        | 1          | eligible     | 300,000.00   | 300,000.00   |
      | 1        | 2          | eligible     | 1,100,000.00 | 1,100,000.00 |
      | 1        | unknown    | eligible     | 500,000.00   | no limit     |
      | unknown  | 0          | undetermined | 0.00         | no limit     |

  Scenario Outline: A designated park earns 3,000,000 as a national pilot zone or 2,000,000 as a provincial cluster
    Given a park with no award history
    And its park_designation is <designation>
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.park_designation is <status>
    And suzhou.park_designation pays between <low> and <high> yuan

    Examples:
      | designation                    | status       | low          | high         |
      | national_blockchain_pilot_zone | eligible     | 3,000,000.00 | 3,000,000.00 |
      | provincial_blockchain_cluster  | eligible     | 2,000,000.00 | 2,000,000.00 |
      | none                           | ineligible   | 0.00         | 0.00         |
      | unknown                        | undetermined | 0.00         | 3,000,000.00 |

  Scenario Outline: A park is paid once per designation, and a higher designation later pays the difference
    Given a park with no award history
    And its park_designation is <designation>
    And it was paid <paid> yuan under suzhou.park_designation in 2021
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.park_designation is <status>
    And suzhou.park_designation pays <amount> yuan

    Examples:
      | designation                    | paid         | status     | amount       |
      | provincial_blockchain_cluster  | 2,000,000.00 | ineligible | 0.00         |
      | national_blockchain_pilot_zone | 3,000,000.00 | ineligible | 0.00         |
      | national_blockchain_pilot_zone | 2,000,000.00 | eligible   | 1,000,000.00 |

  Scenario: Without its award history a designated park may already have been paid
    Given a park with no award history
    And its park_designation is provincial_blockchain_cluster
    And its prior_awards is unknown
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.park_designation pays between 0.00 and 2,000,000.00 yuan
    And suzhou.park_designation needs prior_awards

  Scenario: A blockchain enterprise gets Suzhou's non-monetary support
    Given an enterprise whose main business is blockchain
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.onchain_showcase is eligible
    And suzhou.revenue_support is eligible
    And suzhou.key_rd_projects is eligible
    And suzhou.application_pilots is eligible
    And suzhou.star_market_listing is eligible
    And suzhou.leading_enterprise is eligible
    And suzhou.financing_services is eligible
    And the benefit of suzhou.onchain_showcase mentions amount not stated

  Scenario: An enterprise outside blockchain keeps only the support open to all enterprises
    Given an enterprise whose main business is blockchain
    And its main_business_blockchain is no
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.onchain_showcase is eligible
    And suzhou.revenue_support is ineligible
    And suzhou.star_market_listing is ineligible
    And suzhou.leading_enterprise is ineligible
    And suzhou.financing_services is ineligible

  Scenario: A park gets none of the company support
    Given a park with no award history
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.onchain_showcase is ineligible
    And suzhou.key_rd_projects is ineligible
    And suzhou.application_pilots is ineligible
    And suzhou.revenue_support is ineligible
    And suzhou.standard_setting is ineligible
    And suzhou.star_market_listing is ineligible
    And suzhou.leading_enterprise is ineligible
    And suzhou.financing_services is ineligible

  Scenario: An enterprise is not a designated park
    Given an enterprise whose main business is blockchain
    And its park_designation is national_blockchain_pilot_zone
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.park_designation is ineligible

  Scenario: About a company nothing is known, every Suzhou rule is undetermined
    Given a company about which nothing is known
    When it asks for an estimate in suzhou on 2022-06-30
    Then suzhou.revenue_milestone is undetermined
    And suzhou.standard_setting is undetermined
    And suzhou.park_designation is undetermined
    And suzhou.onchain_showcase is undetermined
    And suzhou.revenue_support is undetermined
    And suzhou.key_rd_projects is undetermined
    And suzhou.application_pilots is undetermined
    And suzhou.star_market_listing is undetermined
    And suzhou.leading_enterprise is undetermined
    And suzhou.financing_services is undetermined

  Scenario Outline: Published on an unstated day of 2020 and valid three years, the opinions are certainly in force from 31 December 2020 to 31 December 2022 and possibly from 1 January 2020 until 30 December 2023
    Given an enterprise whose main business is blockchain
    And its blockchain_revenue is 30,000,000
    And its local_fiscal_contribution is 5,000,000
    And its park_designation is none
    When it asks for an estimate in suzhou on <day>
    Then suzhou.revenue_milestone is <status>
    And suzhou.financing_services is <status>

    Examples:
      | day        | status       |
      | 2019-12-31 | not in force |
      | 2020-01-01 | undetermined |
      | 2020-12-30 | undetermined |
      | 2020-12-31 | eligible     |
      | 2022-12-31 | eligible     |
      | 2023-01-01 | undetermined |
      | 2023-12-30 | undetermined |
      | 2023-12-31 | not in force |

  Scenario: On a day the opinions may or may not be in force, the award is open up to its amount and says why
    Given an enterprise whose main business is blockchain
    And its blockchain_revenue is 30,000,000
    And its local_fiscal_contribution is 5,000,000
    When it asks for an estimate in suzhou on 2023-06-30
    Then suzhou.revenue_milestone pays between 0.00 and 500,000.00 yuan
    And the summary of suzhou.revenue_milestone says 苏府〔2020〕93号在2023-06-30是否有效无法确定
    And the notice names 苏府〔2020〕93号
    And the retrospective as of 2022-12-31 pays 500,000.00 yuan under suzhou.revenue_milestone

  Scenario: Inside the certain window there is no notice and no retrospective
    Given an enterprise whose main business is blockchain
    When it asks for an estimate in suzhou on 2022-06-30
    Then there is no notice

  Scenario Outline: Outside the possible window no Suzhou rule applies, and where the window is uncertain none is settled
    Given an enterprise whose main business is blockchain
    And its blockchain_revenue is 30,000,000
    And its local_fiscal_contribution is 5,000,000
    And its standards_led.national is 1
    And its standards_led.provincial is 0
    And its park_designation is none
    When it asks for an estimate in suzhou on <day>
    Then suzhou.revenue_milestone is <status>
    And suzhou.standard_setting is <status>
    And suzhou.onchain_showcase is <status>
    And suzhou.revenue_support is <status>
    And suzhou.key_rd_projects is <status>
    And suzhou.application_pilots is <status>
    And suzhou.star_market_listing is <status>
    And suzhou.leading_enterprise is <status>
    And suzhou.financing_services is <status>

    Examples:
      | day        | status       |
      | 2019-12-31 | not in force |
      | 2020-06-30 | undetermined |
      | 2023-06-30 | undetermined |
      | 2023-12-31 | not in force |

  Scenario Outline: A designated park's award follows the same window
    Given a park with no award history
    And its park_designation is national_blockchain_pilot_zone
    When it asks for an estimate in suzhou on <day>
    Then suzhou.park_designation is <status>

    Examples:
      | day        | status       |
      | 2019-12-31 | not in force |
      | 2020-06-30 | undetermined |
      | 2022-06-30 | eligible     |
      | 2023-12-31 | not in force |
