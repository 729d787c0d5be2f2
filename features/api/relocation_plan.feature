@api
Feature: A founder plans a relocation over several years of growth
  Drives the plan form of POST /api/v1/comparisons: each city year by year, with each year's awards
  fed into the next year's history.

  Scenario: In Suzhou a three-year climb through two milestone tiers pays the second as a difference
    Given an enterprise whose main business is blockchain
    And its blockchain_revenue is 30,000,000
    And its local_fiscal_contribution is 5,000,000
    And a plan of 3 years from 2020
    And its blockchain_revenue grows by 0.8 a year
    When it posts the plan to /api/v1/comparisons for suzhou
    Then in 2020 suzhou pays 500,000.00 yuan under suzhou.revenue_milestone
    And in 2021 suzhou pays 500,000.00 yuan under suzhou.revenue_milestone
    And in 2022 suzhou pays 0.00 yuan under suzhou.revenue_milestone
    And suzhou's cumulative guaranteed total is 1,000,000.00 yuan

  Scenario: A Wuhan plan that runs past the end of the policy window pays nothing after it
    Given an enterprise whose main business is blockchain
    And its in_key_enterprise_pool is yes
    And its operating_revenue_prior is 24,000,000
    And its operating_revenue is 30,000,000
    And its local_fiscal_contribution is 500,000
    And its local_fiscal_contribution_prior is 400,000
    And a plan of 3 years from 2022
    And its operating_revenue grows by 0.25 a year
    When it posts the plan to /api/v1/comparisons for wuhan
    Then in 2023 wuhan pays 300,000.00 yuan under wuhan.key_pool_growth
    And in 2024 wuhan.key_pool_growth is not in force in wuhan
    And wuhan's cumulative guaranteed total is 600,000.00 yuan

  Scenario: A one-time award is paid in the first year and not repeated
    Given an enterprise whose main business is blockchain
    And its national_top100_first_entry is yes
    And a plan of 2 years from 2021
    When it posts the plan to /api/v1/comparisons for wuhan
    Then in 2021 wuhan pays 2,000,000.00 yuan under wuhan.top100_first_entry
    And in 2022 wuhan.top100_first_entry is ineligible in wuhan

  Scenario: Last year's fiscal contribution caps the growth award in one year but not the next
    Given an enterprise whose main business is blockchain
    And its in_key_enterprise_pool is yes
    And its operating_revenue_prior is 24,000,000
    And its operating_revenue is 30,000,000
    And its local_fiscal_contribution is 300,000
    And its local_fiscal_contribution_prior is 250,000
    And a plan of 2 years from 2021
    And its operating_revenue grows by 0.25 a year
    And its local_fiscal_contribution grows by 0.2 a year
    When it posts the plan to /api/v1/comparisons for wuhan, suzhou, changsha
    Then in 2021 wuhan pays 250,000.00 yuan under wuhan.key_pool_growth
    And in 2022 wuhan pays 300,000.00 yuan under wuhan.key_pool_growth
    And its chart has one series per city
