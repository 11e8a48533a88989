package grade

// letter is a grade on the A+ ... F scale, ordered so that the minimum of
// two letters is the worse grade (docs/grading.md §0).
type letter int8

const (
	letterF letter = iota
	letterE
	letterD
	letterC
	letterB
	letterAMinus
	letterA
	letterAPlus
)

var letterNames = [...]Grade{F, E, D, C, B, AMinus, A, APlus}

func (l letter) String() string { return string(letterNames[l]) }

// Grades that are not letters.
const (
	gradeT = string(T)
	gradeM = string(M)
	gradeU = string(U)
)
