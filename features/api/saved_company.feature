@api
Feature: A company saves its profile and comes back the next year
  Drives /api/v1/companies with an API key: the second year's milestone tier pays only the difference.

  Scenario: Suzhou's milestone award pays the first tier in 2021 and only the difference in 2022
    Given an enterprise whose main business is blockchain
    And its blockchain_revenue is 30,000,000
    And its local_fiscal_contribution is 2,000,000
    When it saves the profile as a company in suzhou with an API key
    And it asks for the saved company's estimate on 2021-12-31
    Then suzhou.revenue_milestone pays 500,000.00 yuan
    When it updates the saved company: blockchain_revenue is 60,000,000, and 500,000.00 yuan was paid under suzhou.revenue_milestone in 2021
    And it asks for the saved company's estimate on 2022-12-31
    Then suzhou.revenue_milestone pays 500,000.00 yuan
    And the saved company's history lists estimates on 2021-12-31, 2022-12-31
