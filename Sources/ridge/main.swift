import Ridge
RidgeCLI.main()
