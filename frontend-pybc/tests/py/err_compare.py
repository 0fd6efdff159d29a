# TypeError: ordering an int against a str.
print(1 < 2, 'a' < 'b')
print(1 < 'a')
