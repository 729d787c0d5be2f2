@wuhan
Feature: Wuhan opinions on blockchain technology and industrial innovation (武政规〔2021〕9号)
  Audits rules/wuhan/wuhan-2021-opinions.yaml: every branch of every rule, both sides of every
  threshold and of every in-force date. Amounts are yuan.

  Scenario Outline: A first entry on a national top-100 list earns 2,000,000 once
    Given an enterprise whose main business is blockchain
    And its national_top100_first_entry is <first entry>
    When it asks for an estimate in wuhan district 江汉区 on 2022-06-30
    Then wuhan.top100_first_entry is <status>

    Examples:
      | first entry | status       |
      | yes         | eligible     |
      | no          | ineligible   |
      | unknown     | undetermined |

  Scenario: The top-100 award is paid half by the city and half by the district
    Given an enterprise whose main business is blockchain
    And its national_top100_first_entry is yes
    When it asks for an estimate in wuhan district 江汉区 on 2022-06-30
    Then wuhan.top100_first_entry pays 2,000,000.00 yuan
    And the city pays 1,000,000.00 yuan of wuhan.top100_first_entry and the district 1,000,000.00 yuan

  Scenario: Without a district the district's half is shown with no payer named
    Given an enterprise whose main business is blockchain
    And its national_top100_first_entry is yes
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.top100_first_entry names no district to pay its half

  Scenario: A company already paid the top-100 award is not paid it again
    Given an enterprise whose main business is blockchain
    And its national_top100_first_entry is yes
    And it was paid 2,000,000.00 yuan under wuhan.top100_first_entry in 2021
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.top100_first_entry is ineligible

  Scenario: Without its award history the one-time top-100 award cannot be settled
    Given an enterprise whose main business is blockchain
    And its national_top100_first_entry is yes
    And its prior_awards is unknown
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.top100_first_entry is undetermined
    And wuhan.top100_first_entry pays between 0.00 and 2,000,000.00 yuan
    And wuhan.top100_first_entry needs prior_awards

  Scenario: A university is not a top-100 enterprise
    Given a university with no award history
    And its national_top100_first_entry is yes
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.top100_first_entry is ineligible

  Scenario Outline: The key-pool growth award needs growth of more than 20 %, and pays up to 300,000 within the fiscal contribution
    Given an enterprise whose main business is blockchain
    And its in_key_enterprise_pool is yes
    And its operating_revenue_prior is 10,000,000
    And its operating_revenue is <revenue>
    And its local_fiscal_contribution_prior is <contribution>
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.key_pool_growth is <status>
    And wuhan.key_pool_growth pays <amount> yuan

    Examples: both sides of the 20 % threshold, the cap binding and not binding
      | revenue       | contribution | status     | amount     |
      | 12,000,000    | 400,000      | ineligible | 0.00       |
      | 12,000,000.01 | 400,000      | eligible   | 300,000.00 |
      | 11,999,999.99 | 400,000      | ineligible | 0.00       |
      | 12,000,000.01 | 250,000.55   | eligible   | 250,000.55 |
      | 12,000,000.01 | 300,000      | eligible   | 300,000.00 |

  Scenario Outline: The key-pool growth award is not for enterprises outside the pool or outside blockchain
    Given an enterprise whose main business is blockchain
    And its main_business_blockchain is <blockchain>
    And its in_key_enterprise_pool is <pool>
    And its operating_revenue_prior is 10,000,000
    And its operating_revenue is 15,000,000
    And its local_fiscal_contribution_prior is 400,000
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.key_pool_growth is <status>

    Examples:
      | blockchain | pool    | status       |
      | no         | yes     | ineligible   |
      | yes        | no      | ineligible   |
      | unknown    | yes     | undetermined |
      | yes        | unknown | undetermined |

  Scenario Outline: Unknown growth or fiscal contribution leaves the growth award open, and says which facts settle it
    Given an enterprise whose main business is blockchain
    And its in_key_enterprise_pool is yes
    And its operating_revenue_prior is <prior>
    And its operating_revenue is 15,000,000
    And its local_fiscal_contribution_prior is <contribution>
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.key_pool_growth is <status>
    And wuhan.key_pool_growth pays between 0.00 and 300,000.00 yuan
    And wuhan.key_pool_growth needs <needs>

    Examples:
      | prior      | contribution | status       | needs                     |
      | unknown    | 400,000      | undetermined | operating_revenue_prior   |
      | 10,000,000 | unknown      | eligible     | local_fiscal_contribution_prior |

  Scenario: A prior revenue of zero leaves growth unknown, so the award is undetermined
    Given an enterprise whose main business is blockchain
    And its in_key_enterprise_pool is yes
    And its operating_revenue_prior is 0
    And its operating_revenue is 15,000,000
    And its local_fiscal_contribution_prior is 400,000
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.key_pool_growth is undetermined
    And the summary of wuhan.key_pool_growth says 上年营业收入为零或负数，无法计算增速
    And the summary of wuhan.key_pool_growth says last year's operating revenue is zero or less, so growth cannot be computed

  Scenario Outline: The growth award is annual: at most once a year
    Given an enterprise whose main business is blockchain
    And its in_key_enterprise_pool is yes
    And its operating_revenue_prior is 10,000,000
    And its operating_revenue is 15,000,000
    And its local_fiscal_contribution_prior is 400,000
    And it was paid <paid> yuan under wuhan.key_pool_growth in <year>
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.key_pool_growth is <status>
    And wuhan.key_pool_growth pays <amount> yuan

    Examples: a payment dated the estimate's year, and one dated the year before
      | paid       | year | status     | amount     |
      | 300,000.00 | 2022 | ineligible | 0.00       |
      | 0.01       | 2022 | ineligible | 0.00       |
      | 300,000.00 | 2021 | eligible   | 300,000.00 |

  Scenario: Without its award history the growth award cannot be settled for this year
    Given an enterprise whose main business is blockchain
    And its in_key_enterprise_pool is yes
    And its operating_revenue_prior is 10,000,000
    And its operating_revenue is 15,000,000
    And its local_fiscal_contribution_prior is 400,000
    And its prior_awards is unknown
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.key_pool_growth is undetermined
    And wuhan.key_pool_growth pays between 0.00 and 300,000.00 yuan
    And wuhan.key_pool_growth needs prior_awards

  Scenario: The growth award is capped by last year's contribution, not this year's
    Given an enterprise whose main business is blockchain
    And its in_key_enterprise_pool is yes
    And its operating_revenue_prior is 10,000,000
    And its operating_revenue is 15,000,000
    And its local_fiscal_contribution is 100,000
    And its local_fiscal_contribution_prior is 200,000
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.key_pool_growth pays 200,000.00 yuan

  Scenario: No split of the growth award is stated, so no one is said to pay it all
    Given an enterprise whose main business is blockchain
    And its in_key_enterprise_pool is yes
    And its operating_revenue_prior is 10,000,000
    And its operating_revenue is 15,000,000
    And its local_fiscal_contribution_prior is 400,000
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.key_pool_growth is paid by responsible units with no stated split, among them People’s Government of each district
    And the responsible units with no stated split pay 300,000.00 yuan in all

  Scenario: The superseded draft's 30 % threshold and 100,000 minimum are never applied
    Given an enterprise whose main business is blockchain
    And its in_key_enterprise_pool is yes
    And its operating_revenue_prior is 10,000,000
    And its operating_revenue is 12,500,000
    And its local_fiscal_contribution_prior is 50,000
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.key_pool_growth is eligible
    And wuhan.key_pool_growth pays 50,000.00 yuan
    And the superseded draft of wuhan.key_pool_growth is not applied

  Scenario Outline: Each selected municipal research project is subsidised 500,000
    Given an enterprise whose main business is blockchain
    And its municipal_research_projects is <projects>
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.research_project is <status>
    And wuhan.research_project pays between <low> and <high> yuan

    Examples:
      | projects | status       | low          | high         |
      | 0        | ineligible   | 0.00         | 0.00         |
      | 1        | eligible     | 500,000.00   | 500,000.00   |
      | 3        | eligible     | 1,500,000.00 | 1,500,000.00 |
      | unknown  | undetermined | 0.00         | no limit     |

  Scenario Outline: Each key task accepted as successfully implemented earns 2,000,000, half from the city and half from the district
    Given an enterprise whose main business is blockchain
    And its key_tasks_accepted is <tasks>
    When it asks for an estimate in wuhan district 洪山区 on 2022-06-30
    Then wuhan.key_task is <status>
    And wuhan.key_task pays between <low> and <high> yuan

    Examples:
      | tasks   | status       | low          | high         |
      | 0       | ineligible   | 0.00         | 0.00         |
      | 2       | eligible     | 4,000,000.00 | 4,000,000.00 |
      | unknown | undetermined | 0.00         | no limit     |

  Scenario: The draft's 2,000,000 per organisation for key tasks is recorded but never applied
    Given an enterprise whose main business is blockchain
    And its key_tasks_accepted is 2
    When it asks for an estimate in wuhan district 洪山区 on 2022-06-30
    Then wuhan.key_task pays 4,000,000.00 yuan
    And the superseded variant of wuhan.key_task is recorded but not applied

  Scenario: A key task's award is split evenly between city and district
    Given an enterprise whose main business is blockchain
    And its key_tasks_accepted is 1
    When it asks for an estimate in wuhan district 洪山区 on 2022-06-30
    Then the city pays 1,000,000.00 yuan of wuhan.key_task and the district 1,000,000.00 yuan

  Scenario: A blockchain enterprise in the key pool gets every non-monetary support
    Given an enterprise whose main business is blockchain
    And its in_key_enterprise_pool is yes
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.seed_lists is eligible
    And wuhan.district_incentives is eligible
    And wuhan.talent_programmes is eligible
    And wuhan.sme_training is eligible
    And the benefit of wuhan.seed_lists mentions Golden Seed

  Scenario: An enterprise outside blockchain and outside the pool gets only the talent programmes
    Given an enterprise whose main business is blockchain
    And its main_business_blockchain is no
    And its in_key_enterprise_pool is no
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.seed_lists is ineligible
    And wuhan.district_incentives is ineligible
    And wuhan.talent_programmes is eligible
    And wuhan.sme_training is ineligible

  Scenario: A park is not a company, so no company support applies to it
    Given a park with no award history
    And its main_business_blockchain is yes
    And its in_key_enterprise_pool is yes
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.seed_lists is ineligible
    And wuhan.talent_programmes is ineligible
    And wuhan.research_project is ineligible
    And wuhan.key_task is ineligible
    And wuhan.key_pool_growth is ineligible
    And wuhan.district_incentives is ineligible
    And wuhan.sme_training is ineligible

  Scenario: A university gets the research and talent support but not what the text gives to enterprises
    Given a university with no award history
    And its main_business_blockchain is yes
    And its in_key_enterprise_pool is yes
    And its operating_revenue_prior is 10,000,000
    And its operating_revenue is 15,000,000
    And its local_fiscal_contribution_prior is 400,000
    And its municipal_research_projects is 1
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.research_project is eligible
    And wuhan.talent_programmes is eligible
    And wuhan.key_pool_growth is ineligible
    And wuhan.district_incentives is ineligible
    And wuhan.sme_training is ineligible

  Scenario: About a company nothing is known, every Wuhan rule is undetermined
    Given a company about which nothing is known
    When it asks for an estimate in wuhan on 2022-06-30
    Then wuhan.top100_first_entry is undetermined
    And wuhan.key_pool_growth is undetermined
    And wuhan.research_project is undetermined
    And wuhan.key_task is undetermined
    And wuhan.seed_lists is undetermined
    And wuhan.district_incentives is undetermined
    And wuhan.talent_programmes is undetermined
    And wuhan.sme_training is undetermined
    And wuhan.key_pool_growth needs entity_type, main_business_blockchain, in_key_enterprise_pool, operating_revenue, operating_revenue_prior, prior_awards, local_fiscal_contribution_prior

  Scenario Outline: The opinions are in force from 25 June 2021 to 31 December 2023
    Given an enterprise whose main business is blockchain
    And its national_top100_first_entry is yes
    And its in_key_enterprise_pool is yes
    When it asks for an estimate in wuhan on <day>
    Then wuhan.top100_first_entry is <status>
    And wuhan.seed_lists is <status>

    Examples:
      | day        | status       |
      | 2021-06-24 | not in force |
      | 2021-06-25 | eligible     |
      | 2023-12-31 | eligible     |
      | 2024-01-01 | not in force |

  Scenario Outline: Outside its window no rule of the opinions applies
    Given an enterprise whose main business is blockchain
    And its in_key_enterprise_pool is yes
    When it asks for an estimate in wuhan on <day>
    Then wuhan.top100_first_entry is not in force
    And wuhan.key_pool_growth is not in force
    And wuhan.research_project is not in force
    And wuhan.key_task is not in force
    And wuhan.seed_lists is not in force
    And wuhan.district_incentives is not in force
    And wuhan.talent_programmes is not in force
    And wuhan.sme_training is not in force

    Examples:
      | day        |
      | 2021-06-24 |
      | 2024-01-01 |
