"""Name pools for the demo organisation: diverse first and last names, customers and speakers."""

FIRST_NAMES: tuple[str, ...] = (
    # Northern and western Europe
    "Maria", "Anna", "Emma", "Sofia", "Ingrid", "Astrid", "Freya", "Lena", "Clara", "Elin",
    "Sanne", "Femke", "Lotte", "Greta", "Hanna", "Julia", "Charlotte", "Amelie", "Marit",
    "Lars", "Anders", "Henrik", "Mikkel", "Jonas", "Niels", "Pieter", "Bram", "Daan", "Lukas",
    "Felix", "Tobias", "Matthias", "Johan", "Erik", "Oskar", "Sven", "Thomas", "Stefan",
    # British Isles and North America
    "Olivia", "Amelia", "Isla", "Grace", "Eleanor", "Harriet", "Rebecca", "Rachel", "Sarah",
    "Emily", "Hannah", "Megan", "Siobhan", "Niamh", "Aoife", "Catherine", "Laura", "Jessica",
    "Jennifer", "Michelle", "Kimberly", "Ashley", "Heather", "Lauren", "Morgan", "Taylor",
    "James", "Oliver", "Harry", "George", "William", "Jack", "Daniel", "Matthew",
    "Andrew", "Christopher", "Michael", "David", "Richard", "Robert", "John", "Patrick",
    "Ciaran", "Declan", "Callum", "Rhys", "Owen", "Ethan", "Ryan", "Tyler", "Brandon",
    "Jordan", "Casey", "Alex", "Sam", "Jamie", "Chris", "Robin", "Drew",
    # Southern Europe and Latin America
    "Lucia", "Carmen", "Isabel", "Elena", "Paula", "Marta", "Beatriz", "Ines", "Giulia",
    "Francesca", "Chiara", "Valentina", "Camila", "Gabriela", "Mariana", "Fernanda",
    "Ximena", "Luisa", "Javier", "Carlos", "Miguel", "Alejandro", "Diego", "Pablo", "Sergio",
    "Marco", "Luca", "Matteo", "Andrea", "Giovanni", "Rafael", "Joao", "Tiago", "Mateus",
    "Santiago", "Andres", "Mateo", "Rodrigo", "Nicolas",
    # Central and eastern Europe
    "Katarzyna", "Agnieszka", "Magdalena", "Zofia", "Petra", "Ivana", "Milena", "Irina",
    "Olga", "Daria", "Piotr", "Tomasz", "Jakub", "Marek", "Pavel", "Ondrej", "Dmitri",
    "Andrei", "Bogdan", "Nikola",
    # South Asia
    "Priya", "Ananya", "Kavya", "Meera", "Divya", "Sneha", "Pooja", "Aisha", "Nisha", "Shreya",
    "Arjun", "Rohan", "Vikram", "Rahul", "Aditya", "Sanjay", "Ravi", "Karan", "Nikhil",
    "Amit", "Imran", "Farhan", "Ayesha", "Zara",
    # East and South-east Asia
    "Mei", "Li", "Xin", "Yan", "Hui", "Wei", "Jun", "Hao", "Ming", "Yuki", "Haruka", "Aiko",
    "Sakura", "Hiroshi", "Kenji", "Takumi", "Ren", "Minji", "Jiwoo", "Seojun", "Minho",
    "Hyun", "Linh", "Thao", "Minh", "Quang", "Mai", "Anh", "Nguyet", "Siti", "Putri", "Rizal",
    "Maya", "Jasmine",
    # Africa and the Middle East
    "Amara", "Chidi", "Ngozi", "Adaeze", "Emeka", "Tunde", "Folake", "Kwame", "Ama", "Kofi",
    "Abena", "Thandiwe", "Sipho", "Lerato", "Zanele", "Wanjiru", "Njeri", "Otieno", "Amani",
    "Fatima", "Layla", "Nour", "Yasmin", "Omar", "Karim", "Youssef", "Hassan", "Tariq", "Samir",
    "Leila", "Dalia", "Rania", "Noa", "Tamar", "Eitan", "Yael", "Elif", "Zeynep", "Emre",
    "Mehmet", "Can", "Selin", "Darius", "Shirin", "Reza", "Parisa",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    # Nordic and Dutch
    "Jensen", "Hansen", "Nielsen", "Larsen", "Andersen", "Pedersen", "Johansson", "Lindqvist",
    "Berg", "Nilsson", "Eriksson", "Lund", "Haugen", "Dahl", "Virtanen", "Korhonen", "de Vries",
    "van Dijk", "Bakker", "Visser", "Smit", "Mulder", "de Boer", "Janssens", "Peeters",
    # German-speaking
    "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Koch",
    "Richter", "Klein", "Wolf", "Neumann", "Zimmermann", "Hartmann", "Brandt", "Keller",
    # British Isles and North America
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Evans", "Thomas",
    "Roberts", "Walker", "Wright", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall",
    "Wood", "Harris", "Clarke", "Jackson", "Turner", "Hill", "Cooper", "Ward", "Morris",
    "Murphy", "Kelly", "O'Brien", "O'Sullivan", "Byrne", "Walsh", "McCarthy", "Doyle",
    "Campbell", "Stewart", "MacDonald", "Fraser", "Robertson", "Reid", "Morgan", "Price",
    "Miller", "Anderson", "Moore", "Martin", "Lee", "Carter", "Mitchell", "Parker", "Collins",
    "Bennett", "Foster", "Brooks", "Hayes", "Sullivan", "Russell", "Griffin", "Coleman",
    "Washington", "Jefferson", "Freeman", "Banks", "Robinson",
    # Southern Europe and Latin America
    "Garcia", "Martinez", "Rodriguez", "Lopez", "Hernandez", "Gonzalez", "Perez", "Sanchez",
    "Ramirez", "Torres", "Flores", "Rivera", "Gomez", "Diaz", "Morales", "Ortiz", "Castillo",
    "Romero", "Navarro", "Ruiz", "Alvarez", "Mendoza", "Silva", "Santos", "Oliveira", "Costa",
    "Pereira", "Ferreira", "Almeida", "Carvalho", "Rossi", "Russo", "Ferrari", "Esposito",
    "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Conti", "De Luca",
    "Dubois", "Moreau", "Laurent", "Lefebvre", "Girard", "Bonnet", "Fontaine", "Rousseau",
    "Papadopoulos", "Georgiou", "Nikolaidis",
    # Central and eastern Europe
    "Kowalski", "Nowak", "Wisniewski", "Wojcik", "Kaminski", "Lewandowska", "Novak",
    "Horvath", "Kovacs", "Svoboda", "Dvorak", "Popescu", "Ionescu", "Petrov", "Ivanova",
    "Volkov", "Sokolova", "Kuznetsov", "Shevchenko", "Bondarenko",
    # South Asia
    "Patel", "Shah", "Sharma", "Singh", "Kumar", "Gupta", "Mehta", "Reddy", "Rao", "Iyer",
    "Nair", "Menon", "Desai", "Joshi", "Kapoor", "Chopra", "Malhotra", "Banerjee",
    "Chatterjee", "Das", "Bose", "Khan", "Ahmed", "Hussain", "Qureshi", "Siddiqui",
    "Rahman", "Chowdhury", "Perera", "Fernando",
    # East and South-east Asia
    "Wang", "Zhang", "Chen", "Liu", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma",
    "Zhu", "Hu", "Lin", "Guo", "Tanaka", "Suzuki", "Takahashi", "Watanabe", "Ito",
    "Yamamoto", "Nakamura", "Kobayashi", "Sato", "Kim", "Park", "Choi", "Jung", "Kang",
    "Cho", "Yoon", "Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Santoso", "Wijaya",
    "Tan", "Lim", "Ong", "Goh", "Reyes", "Cruz", "Bautista", "Villanueva",
    # Africa and the Middle East
    "Okafor", "Okonkwo", "Adeyemi", "Balogun", "Eze", "Nwosu", "Mensah", "Asante", "Owusu",
    "Boateng", "Nkosi", "Dlamini", "Ndlovu", "Mokoena", "Kamau", "Mwangi", "Otieno",
    "Ochieng", "Haile", "Tesfaye", "Mohamed", "Ali", "Ibrahim", "Haddad", "Khoury", "Saleh",
    "Mansour", "Farouk", "Nasser", "Cohen", "Levi", "Mizrahi", "Friedman", "Yilmaz", "Kaya",
    "Demir", "Sahin", "Ozturk", "Karimi", "Hosseini", "Rahimi", "Tehrani",
)  # fmt: skip

DUPLICATE_NAME = "Sam Patel"
"""Two employees share this exact name (in different departments): the ambiguity story."""

CUSTOMERS: tuple[tuple[str, str], ...] = (
    # (organisation, the short name a session title uses)
    ("Harbor Lane Logistics", "Harbor Lane"),
    ("Cedar Ridge Health", "Cedar Ridge"),
    ("Bluefin Hotels", "Bluefin"),
    ("Summit Peak Guides", "Summit Peak"),
    ("Oakhurst School District", "Oakhurst"),
    ("Pinecrest Parks Authority", "Pinecrest Parks"),
    ("Redwater Utilities", "Redwater"),
    ("Granite & Rowe Construction", "Granite & Rowe"),
    ("Brightwater Marine", "Brightwater"),
    ("Kestrel Regional Airways", "Kestrel"),
    ("Meadowbrook Farms Co-op", "Meadowbrook"),
    ("Ironbridge Rail Services", "Ironbridge"),
    ("Silverline Couriers", "Silverline"),
    ("Lakeshore Resorts", "Lakeshore"),
    ("Northgate University", "Northgate"),
    ("Foxglove Retail Group", "Foxglove"),
    ("Tidewell Fisheries", "Tidewell"),
    ("Copperfield Mining", "Copperfield"),
    ("Westmoor Fire & Rescue", "Westmoor"),
    ("Stonebridge Facilities", "Stonebridge"),
    ("Clearwater Energy", "Clearwater"),
    ("Riverbend Veterinary Group", "Riverbend"),
    ("Highmoor Adventure Camps", "Highmoor"),
    ("Beacon Street Security", "Beacon Street"),
    ("Saltmarsh Ferries", "Saltmarsh"),
    ("Juniper Home Care", "Juniper"),
)

SPEAKER_TITLES: tuple[str, ...] = (
    "Head of Operations",
    "Procurement Manager",
    "Facilities Director",
    "Health & Safety Lead",
    "Fleet Manager",
    "Chief Operating Officer",
    "Purchasing Coordinator",
    "IT Director",
    "Finance Director",
    "Founder",
    "Site Manager",
    "Head of People",
    "Guest Experience Manager",
    "Logistics Coordinator",
    "Programme Manager",
)

SESSION_STORIES: tuple[tuple[str, str], ...] = (
    # (title, description); {short} is the customer's short name
    (
        "How {short} nearly churned over invoicing",
        "Three invoices in one month, two of them wrong. What it took to win back trust.",
    ),
    (
        "Onboarding through a customer's eyes",
        "The first ninety days with us, told by the person who had to make them work.",
    ),
    (
        "Why {short} stopped calling Support",
        "Not because the problems went away. A candid look at what made them give up.",
    ),
    (
        "The winter order that arrived in spring",
        "A seasonal order, a missed carrier cut-off and the crews who worked without kit.",
    ),
    (
        "{short} on sizing, returns and the cost of getting it wrong",
        "Why a 12% return rate on uniforms is a budget problem for the customer, not a detail.",
    ),
    (
        "What {short} wishes our account team knew",
        "Renewal conversations from the other side of the table.",
    ),
    (
        "A day on site with {short}",
        "Walking through a shift to see where our products help and where they get in the way.",
    ),
    (
        "The ordering portal, one click at a time",
        "A purchasing coordinator shares her screen and places a real reorder.",
    ),
    (
        "From pilot to rollout: {short}'s story",
        "How a 40-person pilot became a 1,500-person rollout, and what nearly stopped it.",
    ),
    (
        "Safety gear that people actually wear",
        "Compliance is not the same as comfort: what frontline teams told {short}.",
    ),
    (
        "When the account manager changed three times",
        "Continuity, handovers and the questions {short} had to answer again and again.",
    ),
    (
        "{short} on the promise we made in the sales cycle",
        "What was said before signing, and how it compared with the first year.",
    ),
    (
        "Budget season with {short}",
        "How our pricing and contract terms look to a finance team planning next year.",
    ),
    (
        "The escalation that worked",
        "A rare good story: how one support engineer turned a crisis into a reference.",
    ),
    (
        "Sustainability questions we could not answer",
        "{short} asked where our fabrics come from. It took us six weeks to reply.",
    ),
    (
        "Why {short} chose us, and almost did not",
        "The shortlist, the demo and the reference call that tipped the decision.",
    ),
    (
        "Delivery windows and a warehouse that never sleeps",
        "Receiving docks, delivery slots and what a missed window costs {short}.",
    ),
    (
        "What 'premium support' means to {short}",
        "Expectations versus the service level in the contract.",
    ),
    (
        "Rolling out new uniforms to 3,000 people",
        "Fittings, size runs and change management at {short}.",
    ),
    (
        "{short} and the data export they needed",
        "Reporting for auditors, and why a CSV was the most valuable feature we shipped.",
    ),
    (
        "Listening to the people who use our kit",
        "Frontline staff from {short} in their own words.",
    ),
    (
        "A renewal at risk",
        "Six weeks before renewal, {short} had a list of grievances. This is that list.",
    ),
    (
        "The best support call {short} ever had",
        "What one great interaction looks like, and how to make it the normal one.",
    ),
    (
        "Procurement, compliance and a 90-page questionnaire",
        "Selling to a public body, told by the buyer at {short}.",
    ),
    (
        "What changed after our price increase",
        "{short} on how the news was delivered and what they did next.",
    ),
    (
        "Small customer, big expectations",
        "Why a 60-person organisation like {short} still needs to feel heard.",
    ),
    (
        "Weather, wear and warranty claims",
        "Product durability in the field and the warranty process at {short}.",
    ),
    (
        "Our new catalogue through {short}'s eyes",
        "First impressions of the product range refresh, good and bad.",
    ),
    (
        "Two years with us: a retrospective",
        "{short} looks back at what improved, what did not and what they would change.",
    ),
    (
        "When things go wrong at 6 a.m.",
        "Out-of-hours support for a customer whose shifts start before our office opens.",
    ),
    (
        "Integrating with {short}'s purchasing system",
        "Punch-out catalogues, purchase orders and an integration that took too long.",
    ),
    (
        "Account planning, the customer's version",
        "{short} shares the goals they wish we had asked about.",
    ),
    (
        "The quiet customer",
        "{short} never complained. Here is what they would have said if we had asked.",
    ),
    (
        "Returns, replacements and a very long email thread",
        "One replacement order, eleven emails and four teams. Told by {short}.",
    ),
)
