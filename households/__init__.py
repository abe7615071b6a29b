"""The 建档立卡 registry: households, members, causes, measures, income, visits, pairings, exit."""
