// Package warm imports what exercises commonly use, so their compiled forms
// are in the image's build cache.
package warm

import (
	"bufio"
	"bytes"
	"container/heap"
	"container/list"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"math/rand"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

var _ = []any{bufio.NewReader, bytes.NewBuffer, heap.Init, list.New, json.Marshal, errors.New, fmt.Sprint,
	io.EOF, math.Abs, big.NewInt, rand.Intn, os.Open, regexp.MustCompile, slices.Sort[[]int], sort.Ints,
	strconv.Itoa, strings.ToUpper, sync.NewCond, time.Now, unicode.IsLetter, utf8.RuneLen}

// Add is tested below.
func Add(a, b int) int { return a + b }
