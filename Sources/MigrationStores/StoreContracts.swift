// The contracts the drivers implement, re-exported: code that uses a driver gets its protocol too.
@_exported import MigrationStoreContracts
