import Ridge
print("ridge \(Ridge.version)")
