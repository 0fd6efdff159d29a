# ValueError: math domain error.
import math
print(math.sqrt(4.0), math.log(1))
print(math.sqrt(-1.0))
